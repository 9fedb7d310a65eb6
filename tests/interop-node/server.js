'use strict';
// A grpc-js server implementing wiretest.v1.WireTest (bench/Grpc.Benchmarks/protos/wire_test.proto),
// the same contract as the C# TestWireService, so the .NET client can be tested against grpc-js.
//
//   node server.js --proto <wire_test.proto> [--port <n>]     (port 0 or absent: a free port)
//
// Listens on 127.0.0.1 and prints {"port": N} on one line once bound. Stops on SIGTERM/SIGINT or
// when stdin closes (so it never outlives the test process that started it).

const { grpc, parseArgs, loadProto } = require('./lib');

function fail(call, callback) {
  const trailers = new grpc.Metadata();
  trailers.add('x-fail-reason', 'requested');
  callback({ code: call.request.code, details: call.request.message, metadata: trailers });
}

const handlers = {
  Echo(call, callback) {
    callback(null, { text: call.request.text, payload: call.request.payload });
  },
  Fail: fail,
  Stream(call) {
    for (let i = 0; i < call.request.count; i++) {
      call.write({ text: `${call.request.text} ${i}`, index: i, payload: call.request.payload });
    }
    call.end();
  },
  Collect(call, callback) {
    const texts = [];
    call.on('data', (request) => texts.push(request.text));
    call.on('end', () => callback(null, { text: texts.join(','), index: texts.length }));
  },
  Chat(call) {
    let index = 0;
    call.on('data', (request) => call.write({ text: `pong ${request.text}`, index: index++ }));
    call.on('end', () => call.end());
  },
  EchoMetadata(call, callback) {
    const text = String(call.metadata.get('x-text')[0] || '');
    const data = call.metadata.get('x-data-bin')[0] || Buffer.alloc(0);
    const initial = new grpc.Metadata();
    initial.add('x-text-initial', text);
    initial.add('x-data-initial-bin', data);
    call.sendMetadata(initial);
    const trailers = new grpc.Metadata();
    trailers.add('x-text-trailer', text);
    trailers.add('x-data-trailer-bin', data);
    callback(null, { text, payload: data.toString('base64') }, trailers);
  },
  WaitForCancel() {
    // Never answers; grpc-js ends the call when the client cancels or the deadline passes.
  },
  IgnoreCancel() {
    // Same as WaitForCancel here: nothing to release it.
  },
};

function main() {
  const args = parseArgs(process.argv.slice(2));
  const definition = loadProto(args.proto);
  const server = new grpc.Server();
  server.addService(definition['wiretest.v1.WireTest'], handlers);
  server.bindAsync(`127.0.0.1:${args.port || 0}`, grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) {
      process.stderr.write(`bind failed: ${error.message}\n`);
      process.exit(1);
    }
    process.stdout.write(JSON.stringify({ port }) + '\n');
  });
  const stop = () => server.tryShutdown(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

main();
