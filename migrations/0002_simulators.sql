CREATE TABLE `sim_mpesa_payments` (
	`checkout_request_id` text PRIMARY KEY NOT NULL,
	`merchant_request_id` text NOT NULL,
	`phone` text NOT NULL,
	`amount` integer NOT NULL,
	`callback_url` text NOT NULL,
	`result_code` integer NOT NULL,
	`result_desc` text NOT NULL,
	`receipt` text,
	`callbacks` integer NOT NULL,
	`due_at` integer NOT NULL,
	`callback_sent_at` integer,
	`callback_result` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sim_mpesa_payments_due_idx` ON `sim_mpesa_payments` (`callback_sent_at`,`due_at`);--> statement-breakpoint
CREATE TABLE `sim_mpesa_tokens` (
	`token` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
