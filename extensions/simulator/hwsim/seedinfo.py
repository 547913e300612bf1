"""Names and credentials of the simulated account (account.json) and the default seed (seed.yml), for tests and demos. Simulator-only values."""

PROJECT_ID = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
REGION = "ap-southeast-3"
AK = "HWSIMAKPERMANENT0001"
SK = "sim-secret-key-permanent-0001-do-not-use"
TEMP_AK = "HWSIMAKTEMPORARY0002"
TEMP_SK = "sim-secret-key-temporary-0002-do-not-use"
TEMP_TOKEN = "sim-security-token-0002"
OTHER_AK = "HWSIMAKOTHERACCT0003"
OTHER_SK = "sim-secret-key-other-0003-do-not-use"
USER, PASSWORD, DOMAIN = "ops-admin", "Sim-Passw0rd!", "hwcloud-demo"
# A second user of the same account: owns the Lite Server shared-a3-06.
OTHER_USER, OTHER_PASSWORD = "ml-engineer", "Sim-Passw0rd-ML!"
SECRETS = (SK, TEMP_SK, TEMP_TOKEN, OTHER_SK, PASSWORD, OTHER_PASSWORD)
# Identity federation of the simulated account (account.json "agencies" and "federation").
CROSS_ACCOUNT_AGENCY, CROSS_ACCOUNT_DOMAIN = "cross-ops", "hwcloud-demo"
OIDC_PROVIDER_URN = "iam::d0c1a2b3c4d5e6f708192a3b4c5d6e7f:identity-provider:github-actions"
OIDC_AGENCY_URN = "iam::d0c1a2b3c4d5e6f708192a3b4c5d6e7f:agency:ci-deploy"
IDP_ID = "github-actions"
ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.sim-oidc-id-token-0005.c2ltLXNpZ25hdHVyZQ"
POD_IDENTITY_TOKEN = "sim-pod-identity-token-0006"
SECRETS = SECRETS + (ID_TOKEN, POD_IDENTITY_TOKEN)
