'use strict';
// Baseline of the feed benchmark (server/examples/feed_viewers.rs): a Node.js `ws` broadcast
// server, as lean as Node makes one. Every viewer is sent the current frame on connect and each
// new one; `POST /bump` makes the next frame (the template file's bytes with `"seq"` raised)
// and broadcasts it. Usage: node ws_server.js FRAME_FILE (with `ws` on NODE_PATH).
const fs = require('fs');
const http = require('http');
const { WebSocket, WebSocketServer } = require('ws');

const template = fs.readFileSync(process.argv[2], 'utf8');
// The first frame is seq 1 (a viewer counts as connected once it has a seq).
let seq = 1;
let frame = Buffer.from(template.replace(/"seq":\d+/, '"seq":1'));

const server = http.createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/bump') {
    response.statusCode = 404;
    response.end();
    return;
  }
  seq += 1;
  frame = Buffer.from(template.replace(/"seq":\d+/, '"seq":' + seq));
  response.end('ok');
  for (const client of wss.clients) {
    if (client.readyState === WebSocket.OPEN) client.send(frame, { binary: false });
  }
});
const wss = new WebSocketServer({ server, path: '/live' });
wss.on('connection', (socket) => socket.send(frame, { binary: false }));
server.listen(0, '127.0.0.1', () => {
  console.log('listening on http://127.0.0.1:' + server.address().port);
});
