import equal from 'ajv/dist/runtime/equal';
import ucs2length from 'ajv/dist/runtime/ucs2length';
import uri from 'ajv/dist/runtime/uri';
import ValidationError from 'ajv/dist/runtime/validation_error';
import { fullFormats } from 'ajv-formats/dist/formats';

// What ajv's standalone code `require`s, taken from this bundle: a validator module then needs
// nothing fetched but itself, and runs the very helpers the compiled validators run.
const MODULES: Record<string, unknown> = {
  'ajv/dist/runtime/equal': { default: equal },
  'ajv/dist/runtime/ucs2length': { default: ucs2length },
  'ajv/dist/runtime/uri': { default: uri },
  'ajv/dist/runtime/validation_error': { default: ValidationError },
  'ajv-formats/dist/formats': { fullFormats },
};

/** The module standalone validator code asks for by `id` (its `require` argument). */
export function standaloneModule(id: string): unknown {
  if (!Object.hasOwn(MODULES, id))
    throw new Error(
      `a precompiled validator needs "${id}", which tagflow does not provide; rebuild it with this tagflow`,
    );
  return MODULES[id];
}
