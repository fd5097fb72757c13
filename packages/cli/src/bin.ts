import { main } from './program';

void main(process.argv).then((code) => {
  process.exitCode = code;
  // A node that leaves a socket or timer open must not keep the command alive once it is done;
  // unref'd, this timer only fires if something else still holds the process.
  setTimeout(() => process.exit(code), 2000).unref();
});
