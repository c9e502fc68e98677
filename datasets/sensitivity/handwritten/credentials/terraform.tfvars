# prod vars - DO NOT COMMIT
region          = "eu-west-1"
db_username     = "app_admin"
db_password     = "Tr0ub4dor&3-horse"
datadog_api_key = "3f9a1c77d2e84b06a5c1e9f0b7d4a2c8"
