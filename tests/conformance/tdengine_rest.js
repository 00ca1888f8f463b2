// The official TDengine REST connector (@tdengine/rest) against a local port: prints one JSON line
// per statement with the connector's view of the result. Usage: node tdengine_rest.js PORT SQL...
const { options, connect } = require('@tdengine/rest');

options.host = '127.0.0.1';
options.port = Number(process.argv[2]);
options.path = '/rest/sql';
options.user = 'root';
options.passwd = 'taosdata';

(async () => {
    const cursor = connect(options).cursor();
    for (const sql of process.argv.slice(3)) {
        const result = await cursor.query(sql);
        console.log(JSON.stringify({
            sql,
            data: result.getData(),
            code: result.getErrCode(),
            error: result.getErrStr(),
        }));
    }
})().catch((e) => {
    console.error(`tdengine_rest.js: ${e.message || e}`);
    process.exit(1);
});
