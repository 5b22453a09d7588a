export * from './entra';
export { findFreePort } from './free-port';
export * from './gateway';
export {
  type RedisServer,
  type RedisServerOptions,
  RedisServerStartError,
  startRedisServer,
} from './redis-server';
export { startEmulator } from './emulator';
export type { LocalAzureRedis, LocalMsalConfig } from './local/local-azure-redis-api';
export { LocalAzureRedisError, LocalAzureRedisErrorCode } from './local/local-azure-redis-error';
export {
  DEFAULT_CLUSTER_MASTERS,
  type LocalAzureRedisOptions,
  type LocalGatewayOptions,
} from './local/options';
export {
  AWS_EXAMPLE_KEY_PAIR,
  AwsCredentialStore,
  type AwsKeyPair,
} from './aws/aws-credential-store';
export {
  type AwsContainerCredentialsEndpoint,
  type AwsContainerCredentialsEndpointOptions,
  startAwsContainerCredentialsEndpoint,
} from './aws/container-credentials-endpoint';
export {
  createIamTokenVerifier,
  type IamTokenCheck,
  type IamTokenExpectations,
  type IamTokenVerifierOptions,
  verifyIamAuthToken,
} from './aws/iam-token-verifier';
export {
  canonicalQueryString,
  canonicalRequest,
  type CanonicalRequestParts,
  EMPTY_PAYLOAD_SHA256,
  parseAmzDate,
  SIGV4_ALGORITHM,
  sigv4Encode,
  sigv4Signature,
  signingKey,
  stringToSign,
  UNSIGNED_PAYLOAD,
} from './aws/sigv4';
export type { EndpointOutage } from './cloud-http-server';
export {
  CLOUD_PLATFORM_SCOPE,
  createGoogleAccessTokenVerifier,
  type GoogleAccessTokenVerifierOptions,
} from './gcp/access-token-verifier';
export {
  type GoogleMetadataServer,
  type GoogleMetadataServerOptions,
  type IssuedGoogleToken,
  startGoogleMetadataServer,
} from './gcp/google-metadata-server';
export { type CredentialVerifier, isCredentialVerifier } from './gateway/credential-verifier';
export {
  AWS_IAM_LIMITS,
  type CloudGatewayCommonOptions,
  type ElastiCacheGatewayOptions,
  type GatewayProfile,
  type MemoryDbGatewayOptions,
  type MemorystoreGatewayOptions,
  type ServiceGatewayOptions,
  startServiceGateway,
} from './service-gateway';
