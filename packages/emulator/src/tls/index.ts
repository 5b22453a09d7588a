export {
  type CertificateAuthority,
  type CertificateWithKey,
  type ClientCertificate,
  type ClientCertificateIssuer,
  type ClientCertificateOptions,
  certificateThumbprints,
  createCertificateAuthority,
  createClientCertificate,
  createClientCertificateIssuer,
} from './certificate-authority';
