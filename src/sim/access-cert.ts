import { randomBytes } from '../lib/crypto';

/** DER tags and the two fixed AlgorithmIdentifier / attribute OIDs a self-signed RSA cert needs. */
const SEQUENCE = 0x30;
const SET = 0x31;
const SHA256_WITH_RSA = Uint8Array.of(0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00);
const COMMON_NAME_OID = Uint8Array.of(0x06, 0x03, 0x55, 0x04, 0x03);
const VERSION_3 = Uint8Array.of(0xa0, 0x03, 0x02, 0x01, 0x02);

/**
 * A self-signed X.509 v3 certificate (PEM) for an RS256 key pair, so the simulator's JWKS carries
 * `public_cert`/`public_certs` as Access does. @see providers.md §4.2
 */
export async function selfSignedCertificate(keys: CryptoKeyPair, commonName: string, notBefore: Date, notAfter: Date): Promise<string> {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and minimally encoded
  const name = der(SEQUENCE, der(SET, der(SEQUENCE, COMMON_NAME_OID, der(0x0c, new TextEncoder().encode(commonName)))));
  const spki = new Uint8Array((await crypto.subtle.exportKey('spki', keys.publicKey)) as ArrayBuffer);
  const tbs = der(SEQUENCE, VERSION_3, der(0x02, serial), SHA256_WITH_RSA, name, der(SEQUENCE, time(notBefore), time(notAfter)), name, spki);
  const signature = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', keys.privateKey, tbs));
  const certificate = der(SEQUENCE, tbs, SHA256_WITH_RSA, der(0x03, Uint8Array.of(0), signature));
  let binary = '';
  for (const byte of certificate) binary += String.fromCharCode(byte);
  const lines = btoa(binary).match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 §4.1.2.5 requires. */
function time(date: Date): Uint8Array {
  const digits = date.toISOString().replace(/\D/g, '').slice(0, 14);
  const utc = date.getUTCFullYear() < 2050;
  return der(utc ? 0x17 : 0x18, new TextEncoder().encode(`${utc ? digits.slice(2) : digits}Z`));
}

function der(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const header = [tag, ...lengthBytes(length)];
  const out = new Uint8Array(header.length + length);
  out.set(header);
  let offset = header.length;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function lengthBytes(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return [0x80 | bytes.length, ...bytes];
}
