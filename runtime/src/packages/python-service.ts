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
 * working directory) and returns forwarders for the published functions.
 * @throws ConfigError `PACKAGE_INVALID` with the Python message and line on a syntax or import error,
 * naming `publish[i]` when a published name is missing or not a function.
 */
export async function loadPythonService(dir: string, setting: ServiceSetting): Promise<PythonService> {
  const worker = new PythonProcess({ dir, service: setting.name, publish: setting.publish });
  await worker.start();
  const callers: PythonService['callers'] = new Map();
  for (const name of setting.publish)
    callers.set(`${setting.name}__${name}`, (args, kwargs) => worker.call(name, args, kwargs));
  return { callers, close: () => worker.close() };
}
