'use strict';
// grpc.testing.TestService on grpc-js, for our .NET client's interop cases.
//
//   node interop-server.js --proto <interop.proto> [--port <n>]
//
// Server features: EmptyCall, UnaryCall, StreamingOutputCall, StreamingInputCall, FullDuplexCall,
// HalfDuplexCall, Echo Status, Echo Metadata, interval_us. Not: CompressedRequest/CompressedResponse
// (grpc-js handlers cannot see or set per-message compression). Prints {"port": N} once bound.

const { grpc, parseArgs, loadProto } = require('./lib');

const ECHO_INITIAL = 'x-grpc-test-echo-initial';
const ECHO_TRAILING = 'x-grpc-test-echo-trailing-bin';

const zeros = (size) => ({ type: 'COMPRESSABLE', body: Buffer.alloc(size).toString('base64') });
const sleepUs = (us) => new Promise((resolve) => setTimeout(resolve, us / 1000));

/** Echo Metadata: initial key back at once as initial metadata; returns the trailers to send. */
function echoMetadata(call) {
  const initialValues = call.metadata.get(ECHO_INITIAL);
  if (initialValues.length > 0) {
    const initial = new grpc.Metadata();
    initial.add(ECHO_INITIAL, initialValues[0]);
    call.sendMetadata(initial);
  }
  const trailers = new grpc.Metadata();
  const trailingValues = call.metadata.get(ECHO_TRAILING);
  if (trailingValues.length > 0) trailers.add(ECHO_TRAILING, trailingValues[0]);
  return trailers;
}

/** Echo Status: the requested status as a grpc-js error object, or null. */
function requestedStatus(echoStatus, trailers) {
  if (!echoStatus || !echoStatus.code) return null;
  return { code: echoStatus.code, details: echoStatus.message, metadata: trailers };
}

async function writeResponses(call, request) {
  for (const parameters of request.response_parameters || []) {
    if (parameters.interval_us > 0) await sleepUs(parameters.interval_us);
    call.write({ payload: zeros(parameters.size) });
  }
}

const handlers = {
  EmptyCall(call, callback) {
    callback(null, {});
  },
  UnaryCall(call, callback) {
    const trailers = echoMetadata(call);
    const error = requestedStatus(call.request.response_status, trailers);
    if (error) return callback(error);
    callback(null, { payload: zeros(call.request.response_size) }, trailers);
  },
  async StreamingOutputCall(call) {
    const trailers = echoMetadata(call);
    await writeResponses(call, call.request);
    const error = requestedStatus(call.request.response_status, trailers);
    if (error) return call.emit('error', error);
    call.end(trailers);
  },
  StreamingInputCall(call, callback) {
    let total = 0;
    call.on('data', (request) => { total += Buffer.from(request.payload ? request.payload.body : '', 'base64').length; });
    call.on('end', () => callback(null, { aggregated_payload_size: total }));
  },
  FullDuplexCall(call) {
    const trailers = echoMetadata(call);
    let chain = Promise.resolve();
    let failed = false;
    call.on('data', (request) => {
      chain = chain.then(async () => {
        if (failed) return;
        const error = requestedStatus(request.response_status, trailers);
        if (error) { failed = true; call.emit('error', error); return; }
        await writeResponses(call, request);
      });
    });
    call.on('end', () => chain.then(() => { if (!failed) call.end(trailers); }));
  },
  HalfDuplexCall(call) {
    const requests = [];
    call.on('data', (request) => requests.push(request));
    call.on('end', async () => {
      for (const request of requests) await writeResponses(call, request);
      call.end();
    });
  },
};

function main() {
  const args = parseArgs(process.argv.slice(2));
  const definition = loadProto(args.proto);
  const server = new grpc.Server();
  server.addService(definition['grpc.testing.TestService'], handlers);
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
