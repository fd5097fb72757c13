import { InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CONTEXT_LIMITS } from '@tagflow/runtime/engine';
import type { ContextLimits } from '@tagflow/runtime/engine';

const SCOPES: Record<string, keyof ContextLimits> = { node: 'nodeBytes', flow: 'flowBytes', global: 'globalBytes' };
const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, k: 1024, mb: 1024 * 1024, m: 1024 * 1024 };

/** `--context-limits node=1MB,flow=4MB,global=4MB`: size limits of the context scopes; any scope may be left out. */
export function contextLimitsOption(): Option {
  const mb = (bytes: number) => `${bytes / (1024 * 1024)}MB`;
  return new Option(
    '--context-limits <sizes>',
    'size limits of the flow state (context) scopes, e.g. node=1MB,flow=4MB,global=4MB (units: bytes, KB, MB); a write past one is refused',
  )
    .argParser(parseContextLimits)
    .default(
      undefined,
      `node=${mb(DEFAULT_CONTEXT_LIMITS.nodeBytes)},flow=${mb(DEFAULT_CONTEXT_LIMITS.flowBytes)},global=${mb(DEFAULT_CONTEXT_LIMITS.globalBytes)}`,
    );
}

/** Reads `node=512KB,global=8MB`; throws an InvalidArgumentError in plain words for anything else. */
export function parseContextLimits(text: string): Partial<ContextLimits> {
  const limits: Partial<ContextLimits> = {};
  for (const part of text.split(',')) {
    const match = /^\s*(\w+)\s*=\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(part);
    const scope = match ? SCOPES[match[1].toLowerCase()] : undefined;
    const unit = match ? UNITS[match[3].toLowerCase()] : undefined;
    if (!match || scope === undefined || unit === undefined)
      throw new InvalidArgumentError(
        `"${part}" is not a scope and a size: write node=1MB, flow=4MB or global=4MB (units: bytes, KB, MB), separated by commas`,
      );
    const bytes = Math.floor(Number(match[2]) * unit);
    if (bytes < 1024) throw new InvalidArgumentError(`"${part}" is less than 1 KB: too small to hold a value`);
    limits[scope] = bytes;
  }
  return limits;
}
