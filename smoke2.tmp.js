const { WorkFrame, connectClient } = require('@kael/runtime');
const {makeFrameDir, TOOLS_SERVICE}=require('/work/main/test/dist/support/frames.js');
(async () => {
  const ns='sm'+Date.now();
  const f1 = new WorkFrame({ name: ns, serviceGroupConf: await makeFrameDir({tools: TOOLS_SERVICE}) }); await f1.start();
  const v2 = {...TOOLS_SERVICE, 'setting.yaml': TOOLS_SERVICE['setting.yaml'].replace('version: 1.0','version: 1.10')};
  const f2 = new WorkFrame({ name: ns, serviceGroupConf: await makeFrameDir({tools: v2}) }); await f2.start();
  const c = await connectClient({ name: ns });
  let t=Date.now(); const s = await c.servers(); console.log('servers', s.map(x=>x.id), Date.now()-t);
  t=Date.now(); const r = await c.commandAll('_get_pkg_version', {pkg_type:'service'}); console.log(JSON.stringify(r), Date.now()-t,'ms');
  console.log(await c.commandAll('_nope'));
  console.log('last', await c.getLastVersion({service:'tools'}));
  t=Date.now(); console.log('update', JSON.stringify(await c.updateService('tools')), Date.now()-t);
  console.log('last after', JSON.stringify(await c.packageStatus({pkg:'tools'})));
  console.log('rollback', JSON.stringify(await c.rollbackService('tools', {id: f1.id})));
  console.log(await c.tools__add(1,2));
  await c.close(); await f1.stop(); await f2.stop();
})().catch(e => { console.error('FAIL', e); process.exit(1); });
