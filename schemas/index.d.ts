/** A JSON Schema document (draft 2020-12) as parsed JSON. */
export type JsonSchema = { readonly $id: string; readonly [key: string]: unknown };
/** Schema of a service package's `setting.yaml`. */
export declare const serviceSetting: JsonSchema;
/** Schema of a crontab package's `setting.yaml`. */
export declare const crontabSetting: JsonSchema;
/** Schema of a frame config file (`frame.yaml`). */
export declare const frameConfig: JsonSchema;
