// A throwaway self-signed certificate for the HTTPS stand-in, made with the openssl CLI (on every GitHub runner
// image and in Debian): the action must verify it like any other, so tests trust it through NODE_EXTRA_CA_CERTS.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'

export interface TestCertificate {
  readonly key: string
  readonly cert: string
  /** The certificate's file, for NODE_EXTRA_CA_CERTS. */
  readonly certFile: string
}

/** Call it inside a test: the files go when the test ends. */
export function makeCertificate(names: readonly string[]): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'stand-in-tls-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  const [keyFile, certFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')]
  const altNames = ['IP:127.0.0.1', ...names.map((name) => `DNS:${name}`)].join(',')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=cynosdb stand-in',
      '-addext',
      `subjectAltName=${altNames}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  )
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile }
}
