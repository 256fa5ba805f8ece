import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RemoteError } from '@kael/runtime';
import { frameWithClient, TOOLS_SERVICE } from '../../support/frames.js';

const PATHS: Record<string, string> = {
  'setting.yaml': 'type: service\nservice_base_name: paths\nversion: 1.0\npublish: [where, fail]\n',
  'index.js': [
    "'use strict';",
    "exports.where = () => { throw new Error('cannot open ' + __dirname + '/data.json'); };",
    "exports.fail = () => { throw new TypeError('bad input'); };",
  ].join('\n'),
};

describe('errors sent to callers', () => {
  it('carry code, type and message but no stack and no absolute path of the frame', async () => {
    const setup = await frameWithClient({ paths: PATHS, tools: TOOLS_SERVICE });
    try {
      await assert.rejects(setup.client.call('paths__where'), (e: RemoteError) => {
        assert.deepEqual([e.code, e.remote.name, e.remote.stack], ['REMOTE_ERROR', 'Error', undefined]);
        assert.equal(e.remote.message, 'cannot open data.json');
        return true;
      });
      await assert.rejects(setup.client.call('tools__add', ['x']), (e: RemoteError) => {
        assert.deepEqual([e.code, e.remote.stack], ['INVALID_ARGS', undefined]);
        return true;
      });
    } finally {
      await setup.client.close();
      await setup.close();
    }
  });

  it('carry the stack when the frame runs with debugErrors', async () => {
    const setup = await frameWithClient({ paths: PATHS }, { debugErrors: true });
    try {
      await assert.rejects(setup.client.call('paths__fail'), (e: RemoteError) => {
        assert.equal(e.remote.name, 'TypeError');
        assert.match(e.remote.stack ?? '', /index\.js:\d+/);
        return true;
      });
    } finally {
      await setup.client.close();
      await setup.close();
    }
  });
});
