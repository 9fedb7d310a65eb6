'use strict';
// A generic grpc-js client: calls one method of any .proto and prints the outcome as ONE JSON line.
//
//   node client.js --proto <file.proto> [--include <dir>]... --address <host:port>
//                  --method <package.Service/Method> [--request <json>] [--metadata <json>]
//                  [--deadline-ms <n>]
//
// --request   the request message as JSON with the .proto field names (bytes as base64, 64-bit ints
//             and enums as strings); for client-streaming and duplex methods a JSON array of messages.
// --metadata  {"key": "value" | ["v1", "v2"]}; values of "-bin" keys are base64.
// Output: {"messages": [...], "headers": {...}, "trailers": {...},
//          "status": {"code": 0, "name": "OK", "details": "..."}}
// The exit code is 0 whatever the gRPC status (the status is data); 2 for bad arguments.

const { grpc, parseArgs, loadProto, metadataFromJson, metadataToJson, statusName } = require('./lib');

function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2), ['include']);
    for (const required of ['proto', 'address', 'method']) {
      if (!args[required]) throw new Error(`--${required} is required`);
    }
  } catch (error) {
    process.stderr.write(`usage error: ${error.message}\n`);
    process.exit(2);
  }

  const definition = loadProto(args.proto, args.include);
  const [serviceName, methodName] = args.method.replace(/^\//, '').split('/');
  const method = definition[serviceName] && definition[serviceName][methodName];
  if (!method) {
    process.stderr.write(`method ${args.method} not found in ${args.proto}\n`);
    process.exit(2);
  }

  const request = args.request ? JSON.parse(args.request) : {};
  const metadata = metadataFromJson(args.metadata ? JSON.parse(args.metadata) : {});
  const options = args['deadline-ms'] ? { deadline: Date.now() + Number(args['deadline-ms']) } : {};
  const client = new grpc.Client(args.address, grpc.credentials.createInsecure());

  const result = { messages: [], headers: {}, trailers: {}, status: null };
  let pending = method.responseStream ? 1 : 2; // unary responses also wait for the callback
  const finish = () => {
    if (--pending > 0) return;
    process.stdout.write(JSON.stringify(result) + '\n');
    client.close();
  };
  const onResponse = (error, message) => {
    if (!error && message !== undefined) result.messages.push(message);
    finish();
  };

  const path = method.path;
  const ser = method.requestSerialize;
  const de = method.responseDeserialize;
  let call;
  if (!method.requestStream && !method.responseStream) {
    call = client.makeUnaryRequest(path, ser, de, request, metadata, options, onResponse);
  } else if (!method.requestStream) {
    call = client.makeServerStreamRequest(path, ser, de, request, metadata, options);
  } else if (!method.responseStream) {
    call = client.makeClientStreamRequest(path, ser, de, metadata, options, onResponse);
  } else {
    call = client.makeBidiStreamRequest(path, ser, de, metadata, options);
  }
  call.on('metadata', (headers) => { result.headers = metadataToJson(headers); });
  if (method.responseStream) {
    call.on('data', (message) => result.messages.push(message));
    call.on('error', () => { /* the status event carries it */ });
  }
  call.on('status', (status) => {
    result.status = { code: status.code, name: statusName(status.code), details: status.details };
    result.trailers = metadataToJson(status.metadata);
    finish();
  });
  if (method.requestStream) {
    for (const message of Array.isArray(request) ? request : [request]) call.write(message);
    call.end();
  }
}

main();
