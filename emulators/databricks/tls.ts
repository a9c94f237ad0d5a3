/**
 * A throwaway certificate authority and a server certificate it signs, made fresh at every start.
 * Clients trust the CA (driver option `customCaCert`, https option `ca`, or NODE_EXTRA_CA_CERTS),
 * so nobody has to switch certificate checks off. Keys come from Node's native RSA generator
 * (fast); node-forge only assembles and signs the X.509 structures.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface ServerCredentials {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const { pki, md } = forge;

function rsaKeyPair(): {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  pem: string;
} {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = pki.privateKeyFromPem(pem);
  return { privateKey: forgeKey, publicKey: pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem };
}

function serial(): string {
  // A positive serial: clear the top bit so DER does not read it as negative.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + 7 * 24 * 60 * 60 * 1000);
}

/** Generates a CA plus a certificate for `localhost`, 127.0.0.1, ::1 and any extra host names given. */
export function createServerCredentials(extraHosts: string[] = []): ServerCredentials {
  const ca = rsaKeyPair();
  const caCert = pki.createCertificate();
  caCert.publicKey = ca.publicKey;
  caCert.serialNumber = serial();
  validity(caCert);
  const caSubject = [
    { name: 'commonName', value: 'Sluice Databricks Emulator CA' },
    { name: 'organizationName', value: 'Sluice' },
  ];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.privateKey, md.sha256.create());

  const server = rsaKeyPair();
  const cert = pki.createCertificate();
  cert.publicKey = server.publicKey;
  cert.serialNumber = serial();
  validity(cert);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caSubject);
  const ipPattern = /^[\d.]+$|:/;
  const hosts = [...new Set(['localhost', '127.0.0.1', '::1', ...extraHosts])];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: hosts.map((host) =>
        ipPattern.test(host) ? { type: 7, ip: host } : { type: 2, value: host },
      ),
    },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.privateKey, md.sha256.create());

  return { caPem: pki.certificateToPem(caCert), certPem: pki.certificateToPem(cert), keyPem: server.pem };
}
