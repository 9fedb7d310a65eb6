'use strict';
// Helpers shared by client.js and server.js: argument parsing, proto loading, metadata <-> JSON.

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

/** Parses "--name value" pairs; repeated names collect into arrays when listed in `repeatable`. */
function parseArgs(argv, repeatable = []) {
  const args = {};
  for (const name of repeatable) args[name] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith('--')) throw new Error(`unexpected argument '${token}'`);
    const name = token.slice(2);
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${token}`);
    i++;
    if (repeatable.includes(name)) args[name].push(value);
    else args[name] = value;
  }
  return args;
}

/**
 * Loads .proto files the way every script here does: field names exactly as in the .proto (keepCase),
 * 64-bit integers and enums as strings, bytes as base64 strings, default values filled in.
 */
function loadProto(protoPath, includeDirs = []) {
  return protoLoader.loadSync(protoPath, {
    keepCase: true,
    longs: String,
    enums: String,
    bytes: String,
    defaults: true,
    oneofs: true,
    // An empty list would make proto-loader warn that the file is "not found in any of the include paths".
    includeDirs: includeDirs.length > 0 ? includeDirs : undefined,
  });
}

/** {"key": "v" | ["v1","v2"]} -> grpc.Metadata; values of "-bin" keys are base64. */
function metadataFromJson(json) {
  const metadata = new grpc.Metadata();
  for (const [key, raw] of Object.entries(json || {})) {
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (key.endsWith('-bin')) metadata.add(key, Buffer.from(value, 'base64'));
      else metadata.add(key, String(value));
    }
  }
  return metadata;
}

/** grpc.Metadata -> {"key": ["v1", ...]}; values of "-bin" keys as (padded) base64. */
function metadataToJson(metadata) {
  const json = {};
  if (!metadata) return json;
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    json[key] = values.map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : String(v)));
  }
  return json;
}

/** The status name for a numeric code, e.g. 3 -> "INVALID_ARGUMENT". */
function statusName(code) {
  return Object.keys(grpc.status).find((name) => grpc.status[name] === code) || String(code);
}

module.exports = { grpc, parseArgs, loadProto, metadataFromJson, metadataToJson, statusName };
