// The runtime loads the modules listed in package.json "tagflow.nodes"; this entry point is for
// code that imports the node types, such as tests in other packages.
export { default as __NODE_IDENT__ } from './__NODE_TYPE__.node';
export { nodeErrors } from './error-codes';
