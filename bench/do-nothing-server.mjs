// The yardstick for `npm run bench`: an HTTP server that reads the request
// body and answers 200 with an empty body — the least any server can do.
// Every figure of the local cloud is printed beside the same measurement
// against this server in the same run, because this machine is noisy.
import * as http from "node:http";

const server = http.createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => {
    res.writeHead(200, { "content-length": 0, "x-amz-request-id": "0", etag: '"d41d8cd98f00b204e9800998ecf8427e"' });
    res.end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
