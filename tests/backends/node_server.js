// A CPO backend on Node's https module (or http for plain), for the backend matrix.
// Usage: node node_server.js CONFIG_JSON ; prints "READY <port>" once it listens.
"use strict";
const fs = require("fs");
const https = require("https");
const http = require("http");

const config = JSON.parse(process.argv[2]);
const ACK = config.ack;

function handler(req, res) {
  req.resume();
  req.on("end", () => {
    const answer = config.answer;
    const send = () => {
      if (answer === "status500") {
        res.writeHead(500, { "Content-Type": "text/plain" });
        res.end("boom");
      } else if (answer === "notjson") {
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.end("hello, not JSON");
      } else {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(ACK);
      }
    };
    if (answer === "slow") setTimeout(send, config.slow_ms);
    else send();
  });
}

let server;
if (config.plain) {
  server = http.createServer(handler);
} else {
  const versions = {
    modern: ["TLSv1.2", "TLSv1.3"],
    tls13: ["TLSv1.3", "TLSv1.3"],
    tls12: ["TLSv1.2", "TLSv1.2"],
  }[config.versions];
  const options = {
    cert: fs.readFileSync(config.cert),
    key: fs.readFileSync(config.key),
    minVersion: versions[0],
    maxVersion: versions[1],
  };
  if (config.verify !== "none") {
    options.ca = fs.readFileSync(config.ca);
    options.requestCert = true;
    options.rejectUnauthorized = config.verify === "required";
  }
  server = https.createServer(options, handler);
}
server.listen(0, "127.0.0.1", () => {
  console.log(`READY ${server.address().port}`);
});
process.on("SIGTERM", () => process.exit(0));
