export {
  AwsIamCredentialsProvider,
  createElastiCacheIamProvider,
  createMemoryDbIamProvider,
} from './aws-iam-credentials-provider';
export { AwsIamIdentityProvider } from './aws-iam-identity-provider';
export { describeAwsError, toAwsIdentityProviderError } from './classify-error';
export { AwsIamErrorCode } from './error-codes';
export { createIamAuthToken, type IamAuthService, type IamAuthTokenParams } from './iam-auth-token';
export {
  AWS_IAM_DEFAULTS,
  type AwsIamProviderOptions,
  type ElastiCacheIamProviderOptions,
  type MemoryDbIamProviderOptions,
} from './options';
export type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
export { iamTokenExpiresAtMs } from './token-expiry';
