// Where the built editor is, for the runtime to serve it (tagflow start).
const path = require('node:path');

/** Absolute path of the built editor (index.html and assets), made by `vite build`. */
exports.editorDist = path.join(__dirname, 'dist');
