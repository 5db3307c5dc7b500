/**
 * The baseline: a bare `node:http` server that reads each envelope, JSON.parses every line of it and
 * answers 200 with the event id, with no framework and no database. Run as its own process, like
 * the real server, so the two are measured the same way. Prints `listening <port>` when ready.
 */
import http from 'node:http';

const port = Number(process.argv[2] ?? 0);

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let id: unknown = null;
    try {
      const lines = Buffer.concat(chunks).toString('utf8').split('\n');
      for (const line of lines) {
        if (line.length === 0) continue;
        const value = JSON.parse(line) as { event_id?: unknown };
        id ??= value.event_id;
      }
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"detail":"invalid envelope"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end(JSON.stringify({ id }));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
// Never outlive the orchestrator.
process.on('disconnect', () => process.exit(0));
