// The official TDengine REST connector (@tdengine/rest) running one query against a local taosAdapter
// (or bench_sql's stand-in): prints {"ms":..,"rows":..} with the time from sending the query to the
// connector's parsed result. Usage: node rest_parse.js PORT SQL
const { options, connect } = require('@tdengine/rest');

options.host = '127.0.0.1';
options.port = Number(process.argv[2]);
options.path = '/rest/sql';
options.user = 'root';
options.passwd = 'taosdata';

(async () => {
    const cursor = connect(options).cursor();
    const start = process.hrtime.bigint();
    const result = await cursor.query(process.argv[3]);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const rss = process.memoryUsage().rss;
    console.log(JSON.stringify({ ms, rows: result.getData().length, code: result.getErrCode(), rssMb: rss / 1048576 }));
})().catch((e) => {
    console.error(`rest_parse.js: ${e.message || e}`);
    process.exit(1);
});
