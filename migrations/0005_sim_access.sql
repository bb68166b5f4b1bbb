CREATE TABLE `sim_access_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`private_jwk` text NOT NULL,
	`public_jwk` text NOT NULL,
	`certificate` text NOT NULL,
	`created_at` integer NOT NULL
);
