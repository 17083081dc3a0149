import 'server-only'
import { parseAdmissionConfig, type AdmissionConfig } from '@curia/curation/admission/admission-config'
import { getWebConfig } from '../config'

/**
 * The jury's settings as the web app uses them, read once per process: admission (invites per period, SIWE,
 * the personhood registry) from @curia/curation's reader. Sign-In with Ethereum messages must name the site the
 * wallet sees, so when CURIA_SIWE_DOMAIN / CURIA_SIWE_URI are unset they follow the web app's public URL.
 */
export function getJuryWebConfig(): AdmissionConfig {
  slot.__curiaJuryConfig ??= readJuryWebConfig(process.env, getWebConfig().publicUrl)
  return slot.__curiaJuryConfig
}

const slot = globalThis as typeof globalThis & { __curiaJuryConfig?: AdmissionConfig }

export function readJuryWebConfig(
  env: Record<string, string | undefined>,
  publicUrl: string,
): AdmissionConfig {
  const url = new URL(publicUrl)
  return parseAdmissionConfig({
    ...env,
    CURIA_SIWE_DOMAIN: env.CURIA_SIWE_DOMAIN || url.host,
    CURIA_SIWE_URI: env.CURIA_SIWE_URI || url.origin,
  })
}
