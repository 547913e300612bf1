"""A stateful Huawei Cloud API simulator (IAM, ModelArts Lite Servers, VPC EIPs, CloudDC iMetal) for tests."""
