export {
  type CertificateAuthority,
  type CertificateWithKey,
  type ClientCertificate,
  type ClientCertificateOptions,
  certificateThumbprints,
  createCertificateAuthority,
  createClientCertificate,
} from './certificate-authority';
