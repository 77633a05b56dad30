// The canonical serializer of Didit webhooks (python-json.mjs) against Didit's official
// signature test vectors and against outputs of CPython's json.dumps for the edge cases.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dumps, parse, pyFloatRepr, pyStr } from './python-json.mjs';

const vectors = JSON.parse(readFileSync(new URL('../fixtures/didit-webhook-signatures.json', import.meta.url), 'utf8'));
const hmac = (secret, bytes) => createHmac('sha256', secret).update(bytes).digest('hex');

test('every case of Didit\'s signature vectors: same body bytes, same three signatures', () => {
  const names = Object.keys(vectors.cases);
  assert.ok(names.length >= 5, names.join());
  for (const name of names) {
    const { body, signatures } = vectors.cases[name];
    const data = parse(body);
    const raw = dumps(data);
    assert.equal(raw, body, `${name}: ensure_ascii=True form is the body`);
    assert.equal(hmac(vectors.secret, Buffer.from(raw, 'utf8')), signatures.raw, `${name}: X-Signature`);
    const v2 = dumps(data, { ensureAscii: false });
    assert.equal(hmac(vectors.secret, Buffer.from(v2, 'utf8')), signatures.v2, `${name}: X-Signature-V2`);
    const simple = [data.timestamp, data.session_id, data.status, data.webhook_type].map(pyStr).join(':');
    assert.equal(hmac(vectors.secret, simple), signatures.simple, `${name}: X-Signature-Simple`);
    // JSON.parse works as well for these bodies (no integer beyond 2^53)
    assert.equal(dumps(JSON.parse(body)), body, `${name}: from JSON.parse`);
  }
  // the non-ASCII case really differs between the two forms
  const uni = parse(vectors.cases.unicode_names.body);
  assert.notEqual(dumps(uni, { ensureAscii: false }), dumps(uni));
  assert.match(dumps(uni, { ensureAscii: false }), /José/);
});

// [input, Python ensure_ascii=True output, Python ensure_ascii=False output], produced by CPython 3
// with json.dumps(shorten_floats(json.loads(input)), sort_keys=True, separators=(",",":")).
const PYTHON = [
  ["{\"metadata\":{\"9\":\"a\",\"10\":\"b\",\"2\":\"c\",\"b\":1,\"a\":2,\"\":0}}", "{\"metadata\":{\"\":0,\"10\":\"b\",\"2\":\"c\",\"9\":\"a\",\"a\":2,\"b\":1}}", "{\"metadata\":{\"\":0,\"10\":\"b\",\"2\":\"c\",\"9\":\"a\",\"a\":2,\"b\":1}}"],
  ["[1e-05, 1.5e-07, 0.0001, 0.00012345, 1e16, 1.5e16, 123.456, -0.5, 100.0, -0.0, 1e21, 2.5e-300, 0.1, 96.15, 95.4, 1e22, 12345678901234567890, 9007199254740993, 1.7976931348623157e308, 5e-324]", "[1e-05,1.5e-07,0.0001,0.00012345,10000000000000000,15000000000000000,123.456,-0.5,100,0,1000000000000000000000,2.5e-300,0.1,96.15,95.4,10000000000000000000000,12345678901234567890,9007199254740993,179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368,5e-324]", "[1e-05,1.5e-07,0.0001,0.00012345,10000000000000000,15000000000000000,123.456,-0.5,100,0,1000000000000000000000,2.5e-300,0.1,96.15,95.4,10000000000000000000000,12345678901234567890,9007199254740993,179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368,5e-324]"],
  ["{\"s\":\"caf\\u00e9 \\ud83d\\ude00 \\u007f \\u0000\\u001f\\b\\f\\n\\r\\t \\\"q\\\" \\\\ / \\u2028 \\uffff \\ue000\"}", "{\"s\":\"caf\\u00e9 \\ud83d\\ude00 \\u007f \\u0000\\u001f\\b\\f\\n\\r\\t \\\"q\\\" \\\\ / \\u2028 \\uffff \\ue000\"}", "{\"s\":\"caf\u00e9 \ud83d\ude00 \u007f \\u0000\\u001f\\b\\f\\n\\r\\t \\\"q\\\" \\\\ / \u2028 \uffff \ue000\"}"],
  ["{\"\\ud83d\\ude00\":1,\"\\uffff\":2,\"\\ue000\":3,\"z\":4,\"\\u00e9\":5}", "{\"z\":4,\"\\u00e9\":5,\"\\ue000\":3,\"\\uffff\":2,\"\\ud83d\\ude00\":1}", "{\"z\":4,\"\u00e9\":5,\"\ue000\":3,\"\uffff\":2,\"\ud83d\ude00\":1}"],
  ["{\"e\":{},\"l\":[],\"n\":null,\"t\":true,\"f\":false,\"nested\":{\"b\":[{\"y\":1,\"x\":2}],\"a\":{\"d\":1,\"c\":2}}}", "{\"e\":{},\"f\":false,\"l\":[],\"n\":null,\"nested\":{\"a\":{\"c\":2,\"d\":1},\"b\":[{\"x\":2,\"y\":1}]},\"t\":true}", "{\"e\":{},\"f\":false,\"l\":[],\"n\":null,\"nested\":{\"a\":{\"c\":2,\"d\":1},\"b\":[{\"x\":2,\"y\":1}]},\"t\":true}"],
];

test('edge cases match CPython: integer-like keys, float repr, escapes, code-point key order', () => {
  for (const [input, ascii, unicode] of PYTHON) {
    const value = parse(input);
    assert.equal(dumps(value), ascii, input);
    assert.equal(dumps(value, { ensureAscii: false }), unicode, input);
  }
  // JS objects enumerate "2","9","10" first; the serializer must not follow that order
  assert.equal(dumps({ 10: 'b', 9: 'a', 2: 'c', b: 1 }), '{"10":"b","2":"c","9":"a","b":1}');
  assert.equal(JSON.stringify({ 10: 'b', 9: 'a', 2: 'c' }), '{"2":"c","9":"a","10":"b"}');
});

test('Python float repr and str()', () => {
  const cases = [
    [1e-5, '1e-05'], [1.5e-7, '1.5e-07'], [0.0001, '0.0001'], [9.999e-5, '9.999e-05'], [1e16, '1e+16'],
    [1.5e16, '1.5e+16'], [123.456, '123.456'], [1e15 + 0.5, '1000000000000000.5'], [0.1 + 0.2, '0.30000000000000004'],
    [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'], [1e22, '1e+22'], [-2.5, '-2.5'], [3, '3.0'],
  ];
  for (const [x, repr] of cases) assert.equal(pyFloatRepr(x), repr, String(x));
  assert.deepEqual([null, true, false, 1.5, 1774970000, 'x', undefined].map(pyStr), ['None', 'True', 'False', '1.5', '1774970000', 'x', '']);
  assert.equal(dumps([NaN, Infinity, -Infinity, -0]), '[NaN,Infinity,-Infinity,0]');
  assert.equal(parse('12345678901234567890'), 12345678901234567890n);
  assert.throws(() => parse('{"a":1,}'), SyntaxError);
});
