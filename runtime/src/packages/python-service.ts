import type { ServiceSetting } from '../model/package-setting.js';
import { PythonProcess } from './python-process.js';

/** A Python service package as a service worker serves it. */
export interface PythonService {
  /** `<service_base_name>__<function>` → a function forwarding `(args, kwargs)` to the Python worker. */
  callers: Map<string, (args: readonly unknown[], kwargs: Record<string, unknown>) => Promise<unknown>>;
  /** Stops the Python worker. */
  close(): void;
}

/**
 * Starts a Python worker on the package folder (its `__init__.py` imported as a package, the folder as
 * working directory) and returns forwarders for the published functions. `startTimeoutMs` bounds the
 * import (see {@link PythonProcess.start}).
 * @throws ConfigError `PACKAGE_INVALID` as {@link PythonProcess.start} does: the export check's
 * problems (syntax or import error with the Python message and line, `publish[i]` missing or not a
 * function), or why importing failed otherwise.
 */
export async function loadPythonService(
  dir: string,
  setting: ServiceSetting,
  startTimeoutMs?: number,
): Promise<PythonService> {
  const worker = new PythonProcess({
    dir,
    service: setting.name,
    publish: setting.publish,
    ...(startTimeoutMs === undefined ? {} : { startTimeoutMs }),
  });
  await worker.start();
  const callers: PythonService['callers'] = new Map();
  for (const name of setting.publish)
    callers.set(`${setting.name}__${name}`, (args, kwargs) => worker.call(name, args, kwargs));
  return { callers, close: () => worker.close() };
}
