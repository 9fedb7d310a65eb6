'use strict';
// grpc-js as the client of the gRPC interop test cases (names and procedures from the public interop
// test descriptions), run against our Kestrel server.
//
//   node interop-client.js --proto <interop.proto> --address <host:port> --test_case <name>
//
// Prints {"test_case": ..., "passed": true|false, "error": "..."}; exit code 0 only when it passed.
// client_compressed_streaming is not offered: grpc-js cannot switch compression off per message.

const assert = require('node:assert/strict');
const { grpc, parseArgs, loadProto } = require('./lib');

const ECHO_INITIAL = 'x-grpc-test-echo-initial';
const ECHO_TRAILING = 'x-grpc-test-echo-trailing-bin';
const SPECIAL_MESSAGE = '\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \uD83D\uDE08\t\n';
const GZIP = 2; // grpc-js compression algorithm id

const zeros = (size) => ({ body: Buffer.alloc(size).toString('base64') });
const bodySize = (payload) => Buffer.from(payload ? payload.body : '', 'base64').length;

function assertZeros(payload, size) {
  const body = Buffer.from(payload.body, 'base64');
  assert.equal(body.length, size);
  assert.ok(body.every((b) => b === 0), 'payload is not all zeros');
}

/** Promisified unary call that resolves {response, headers, status} or rejects with the grpc error. */
function unary(client, method, request, options = {}) {
  return new Promise((resolve, reject) => {
    let headers = null;
    let response = null;
    const call = client[method](request, options.metadata || new grpc.Metadata(), options.callOptions || {}, (error, value) => {
      if (error) reject(error);
      else response = value;
    });
    call.on('metadata', (m) => { headers = m; });
    call.on('status', (status) => { if (status.code === grpc.status.OK) resolve({ response, headers, status }); });
  });
}

/** Reads a response stream to its end: {responses, headers, status}; never rejects (status carries errors). */
function drain(call) {
  return new Promise((resolve) => {
    const responses = [];
    let headers = null;
    call.on('metadata', (m) => { headers = m; });
    call.on('data', (r) => responses.push(r));
    call.on('error', () => {});
    call.on('status', (status) => resolve({ responses, headers, status }));
  });
}

function nextMessage(call) {
  return new Promise((resolve, reject) => {
    const onData = (data) => { cleanup(); resolve(data); };
    const onError = (error) => { cleanup(); reject(error); };
    const cleanup = () => { call.off('data', onData); call.off('error', onError); };
    call.on('data', onData);
    call.on('error', onError);
  });
}

async function expectStatus(promise, code) {
  await assert.rejects(promise, (error) => {
    assert.equal(error.code, code, `expected status ${code}, got ${error.code}: ${error.details}`);
    return true;
  });
}

const largeRequest = (extra = {}) => ({ response_size: 314159, payload: zeros(271828), ...extra });

const cases = {
  async empty_unary({ client }) {
    const { response } = await unary(client, 'EmptyCall', {});
    assert.ok(response);
  },
  async large_unary({ client }) {
    const { response } = await unary(client, 'UnaryCall', largeRequest());
    assertZeros(response.payload, 314159);
  },
  async client_compressed_unary({ client, gzipClient }) {
    await expectStatus(unary(client, 'UnaryCall', largeRequest({ expect_compressed: { value: true } })), grpc.status.INVALID_ARGUMENT);
    const compressed = await unary(gzipClient, 'UnaryCall', largeRequest({ expect_compressed: { value: true } }));
    assertZeros(compressed.response.payload, 314159);
    const plain = await unary(client, 'UnaryCall', largeRequest({ expect_compressed: { value: false } }));
    assertZeros(plain.response.payload, 314159);
  },
  async server_compressed_unary({ client }) {
    // grpc-js does not expose the compressed flag; the server side checks it on the wire.
    for (const value of [true, false]) {
      const { response } = await unary(client, 'UnaryCall', largeRequest({ response_compressed: { value } }));
      assertZeros(response.payload, 314159);
    }
  },
  async client_streaming({ client }) {
    const result = await new Promise((resolve, reject) => {
      const call = client.StreamingInputCall((error, response) => (error ? reject(error) : resolve(response)));
      for (const size of [27182, 8, 1828, 45904]) call.write({ payload: zeros(size) });
      call.end();
    });
    assert.equal(result.aggregated_payload_size, 74922);
  },
  async server_streaming({ client }) {
    const call = client.StreamingOutputCall({ response_parameters: [31415, 9, 2653, 58979].map((size) => ({ size })) });
    const { responses, status } = await drain(call);
    assert.equal(status.code, grpc.status.OK);
    assert.deepEqual(responses.map((r) => bodySize(r.payload)), [31415, 9, 2653, 58979]);
  },
  async server_compressed_streaming({ client }) {
    const call = client.StreamingOutputCall({
      response_parameters: [{ size: 31415, compressed: { value: true } }, { size: 92653, compressed: { value: false } }],
    });
    const { responses, status } = await drain(call);
    assert.equal(status.code, grpc.status.OK);
    assert.deepEqual(responses.map((r) => bodySize(r.payload)), [31415, 92653]);
  },
  async ping_pong({ client }) {
    const call = client.FullDuplexCall();
    const done = drainAfterPings(call);
    for (const [responseSize, requestSize] of [[31415, 27182], [9, 8], [2653, 1828], [58979, 45904]]) {
      const reply = nextMessage(call);
      call.write({ response_parameters: [{ size: responseSize }], payload: zeros(requestSize) });
      assertZeros((await reply).payload, responseSize);
    }
    call.end();
    const status = await done;
    assert.equal(status.code, grpc.status.OK);
  },
  async empty_stream({ client }) {
    const call = client.FullDuplexCall();
    call.end();
    const { responses, status } = await drain(call);
    assert.equal(status.code, grpc.status.OK);
    assert.equal(responses.length, 0);
  },
  async cancel_after_begin({ client }) {
    const result = new Promise((resolve) => {
      const call = client.StreamingInputCall((error) => resolve(error));
      call.cancel();
    });
    const error = await result;
    assert.ok(error, 'expected the call to fail');
    assert.equal(error.code, grpc.status.CANCELLED);
  },
  async cancel_after_first_response({ client }) {
    const call = client.FullDuplexCall();
    const statusPromise = new Promise((resolve) => call.on('status', resolve));
    call.on('error', () => {});
    const first = nextMessage(call);
    call.write({ response_parameters: [{ size: 31415 }], payload: zeros(27182) });
    await first;
    call.cancel();
    assert.equal((await statusPromise).code, grpc.status.CANCELLED);
  },
  async timeout_on_sleeping_server({ client }) {
    const call = client.FullDuplexCall(new grpc.Metadata(), { deadline: Date.now() + 1 });
    const done = drain(call);
    call.write({ payload: zeros(27182) });
    const { status } = await done;
    assert.equal(status.code, grpc.status.DEADLINE_EXCEEDED);
  },
  async custom_metadata({ client }) {
    const metadata = () => {
      const m = new grpc.Metadata();
      m.add(ECHO_INITIAL, 'test_initial_metadata_value');
      m.add(ECHO_TRAILING, Buffer.from([0xab, 0xab, 0xab]));
      return m;
    };
    const checkTrailers = (trailers) =>
      assert.deepEqual(trailers.get(ECHO_TRAILING)[0], Buffer.from([0xab, 0xab, 0xab]));

    const u = await unary(client, 'UnaryCall', largeRequest(), { metadata: metadata() });
    assert.equal(u.headers.get(ECHO_INITIAL)[0], 'test_initial_metadata_value');
    checkTrailers(u.status.metadata);

    const call = client.FullDuplexCall(metadata());
    const done = drain(call);
    call.write({ response_parameters: [{ size: 314159 }], payload: zeros(271828) });
    call.end();
    const d = await done;
    assert.equal(d.status.code, grpc.status.OK);
    assert.equal(d.headers.get(ECHO_INITIAL)[0], 'test_initial_metadata_value');
    checkTrailers(d.status.metadata);
  },
  async status_code_and_message(context) {
    await statusCase(context, 'test status message', true);
  },
  async special_status_message(context) {
    await statusCase(context, SPECIAL_MESSAGE, false);
  },
  async unimplemented_method({ client }) {
    await expectStatus(unary(client, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
  },
  async unimplemented_service({ unimplementedClient }) {
    await expectStatus(unary(unimplementedClient, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
  },
};

function drainAfterPings(call) {
  return new Promise((resolve) => {
    call.on('error', () => {});
    call.on('status', resolve);
  });
}

async function statusCase({ client }, message, alsoDuplex) {
  const responseStatus = { code: 2, message };
  await assert.rejects(unary(client, 'UnaryCall', { response_status: responseStatus }), (error) => {
    assert.equal(error.code, 2);
    assert.equal(error.details, message);
    return true;
  });
  if (!alsoDuplex) return;
  const call = client.FullDuplexCall();
  const done = drain(call);
  call.write({ response_status: responseStatus });
  call.end();
  const { status } = await done;
  assert.equal(status.code, 2);
  assert.equal(status.details, message);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const definition = loadProto(args.proto);
  const TestService = grpc.makeGenericClientConstructor(definition['grpc.testing.TestService'], 'TestService');
  const UnimplementedService = grpc.makeGenericClientConstructor(definition['grpc.testing.UnimplementedService'], 'UnimplementedService');
  const credentials = grpc.credentials.createInsecure();
  const context = {
    client: new TestService(args.address, credentials),
    gzipClient: new TestService(args.address, credentials, { 'grpc.default_compression_algorithm': GZIP }),
    unimplementedClient: new UnimplementedService(args.address, credentials),
  };
  const run = cases[args.test_case];
  const result = { test_case: args.test_case, passed: false };
  if (!run) result.error = `unknown test case '${args.test_case}'`;
  else {
    try {
      await run(context);
      result.passed = true;
    } catch (error) {
      result.error = error && error.stack ? error.stack : String(error);
    }
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  for (const c of Object.values(context)) c.close();
  process.exitCode = result.passed ? 0 : 1;
}

main();
