'use strict';
// The schemas are data; this file only hands them out so that bundlers and the runtime read the same files.
module.exports = {
  serviceSetting: require('./service-setting.schema.json'),
  crontabSetting: require('./crontab-setting.schema.json'),
  frameConfig: require('./frame-config.schema.json'),
};
