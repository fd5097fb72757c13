// Writes src/flow-validator.generated.ts from the built package (run `generate`, which builds first).
const fs = require('node:fs');
const path = require('node:path');
const { FLOW_VALIDATOR_FILE, flowValidatorSource } = require('../dist/validator-module');

const file = path.join(__dirname, '..', 'src', FLOW_VALIDATOR_FILE);
fs.writeFileSync(file, flowValidatorSource());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
