import type { FilesRoot } from '@tagflow/node-sdk';
import { FilesFolder } from '@tagflow/runtime';

/**
 * The files folder `dir` as the runtime gives it to resource `resourceId` (`ResourceContext.files`,
 * errors naming the resource): for a test that builds a resource context by hand, without a flow.
 */
export function resourceFiles(dir: string, resourceId: string): FilesRoot {
  return new FilesFolder(dir).forResource(resourceId);
}
