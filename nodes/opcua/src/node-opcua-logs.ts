import { format } from 'node:util';
import { setErrorLogger, setWarningLogger } from 'node-opcua';

let routed = false;

/**
 * node-opcua prints its warnings and errors with console.log, on stdout, which `tagflow run`
 * keeps for the flow's output (JSON lines). Its loggers are process-wide, so they go to stderr,
 * tagged, once per process. The connectors' own errors (in statuses and NodeErrors) say what failed;
 * these lines are detail for whoever reads the log.
 */
export function routeNodeOpcuaLogsToStderr(): void {
  if (routed) return;
  routed = true;
  const toStderr = (context?: unknown, ...args: unknown[]) => {
    const where =
      context !== null && typeof context === 'object' && 'filename' in context ? String(context.filename) : '';
    process.stderr.write(`[node-opcua${where ? ` ${where}` : ''}] ${format(...args)}\n`);
  };
  setWarningLogger(toStderr);
  setErrorLogger(toStderr);
}
