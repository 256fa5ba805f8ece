export { KaelError, ConfigError, RemoteError, errorToData, isErrorData } from './errors.js';
export type { KaelErrorCode, ErrorData } from './errors.js';
export { WorkFrame, DEFAULT_AURI } from './frame/work-frame.js';
export type { WorkFrameOptions } from './frame/work-frame.js';
export { packageState } from './model/frame-snapshot.js';
export type {
  FrameSnapshot,
  PackageSnapshot,
  PackageState,
  CrontabSnapshot,
  CrontabEntrySnapshot,
  RunSummary,
  RunStatus,
} from './model/frame-snapshot.js';
export {
  compareVersions,
  highestVersion,
  isValidVersion,
  sameVersion,
  sortVersionsDescending,
  toSemver,
} from './version/version.js';
export { BrokerConnection } from './broker/connection.js';
export { redactText, redactUrl } from './util/redact.js';
export type { BrokerConnectionOptions } from './broker/connection.js';
export { names } from './broker/names.js';
export { parseSettingText, readSettingFile } from './config/setting-file.js';
export { SETTING_FILE } from './model/package-setting.js';
export type {
  PackageSetting,
  ServiceSetting,
  CrontabSetting,
  CrontabEntry,
} from './model/package-setting.js';
export type { SettingResult } from './config/setting-file.js';
export { parseFrameConfigText, readFrameConfig } from './config/frame-config.js';
export type { FrameConfig, FramePathEntry } from './config/frame-config.js';
export type { ConfigProblem, ProblemCode, Range, Position } from './model/config-problem.js';
export { formatProblem, pointerToPath } from './config/problem.js';
export { createLogger } from './util/logger.js';
export type { Logger } from './util/logger.js';
export { FrameClient, connectClient } from './client/frame-client.js';
export type { ClientOptions, CallOptions, CallOutcome, ServiceProxy } from './client/frame-client.js';
export { ClusterClient } from './client/cluster-client.js';
export { missingFrames } from './client/command-responses.js';
export type { CommandResponse } from './client/command-responses.js';
export type { ChangeOptions, ChangeResults, PackageStatusRow } from './client/cluster-client.js';
export type { TargetOptions } from './client/deploy-plan.js';
export type { DeployResult, RestartResult, PackageFailure } from './model/deploy-result.js';
export type { CrontabStatus, CrontabEntryStatus, RunRecord } from './model/crontab-status.js';
export type { ReplyEnvelope } from './rpc/envelope.js';
export {
  parseSchedule,
  nextFire,
  nextFires,
  canFire,
  scheduleProblem,
  isoInZone,
  zoneName,
} from './schedule/schedule.js';
export type { CronSchedule } from './schedule/schedule.js';
export { describeSchedule } from './schedule/schedule-words.js';
export { currentCall } from './tracing/call-context.js';
export type { CallContext } from './tracing/call-context.js';
export { LATENCY_BUCKETS_S } from './model/metrics-snapshot.js';
export type { MetricsSnapshot, ServiceCounters, CrontabCounters } from './model/metrics-snapshot.js';
export { quantileMs, ratesBetween, sampleOf } from './metrics/service-rates.js';
export type { CounterSample, ServiceRate } from './metrics/service-rates.js';
