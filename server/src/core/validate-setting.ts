import type { FileView } from '@kael/runtime/config/file-view';
import type { ConfigProblem } from '@kael/runtime/model/config-problem';
import { checkSettingText } from '@kael/runtime/packages/package-check';
import type { CheckOptions } from '@kael/runtime/packages/package-check';

/**
 * A setting.yaml's problems, including the checks that need the package's other files: the same
 * check `kael run`'s loader makes (see `checkSettingText`).
 */
export async function validateSetting(
  file: string,
  text: string,
  view: FileView,
  options: CheckOptions = {},
): Promise<ConfigProblem[]> {
  return (await checkSettingText(file, text, view, options)).problems;
}
