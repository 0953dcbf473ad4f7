/* eslint-disable @typescript-eslint/no-require-imports, no-undef */
// The failure converter of onramp's clients, workers and workflow bundle (by path: the
// workflow sandbox loads it, so it is plain CommonJS). Error messages and stack traces
// go into an encoded payload, which the encryption codec seals like any other: a refusal
// that names an email is not readable in a history.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
