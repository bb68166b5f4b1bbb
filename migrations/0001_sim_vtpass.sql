CREATE TABLE `sim_vtpass_transactions` (
	`request_id` text PRIMARY KEY NOT NULL,
	`transaction_id` text NOT NULL,
	`service_id` text NOT NULL,
	`product_name` text NOT NULL,
	`product_type` text NOT NULL,
	`recipient` text NOT NULL,
	`variation_code` text,
	`phone` text,
	`amount_kobo` integer NOT NULL,
	`status` text NOT NULL,
	`settles_to` text,
	`requery_count` integer DEFAULT 0 NOT NULL,
	`token` text,
	`units` text,
	`callback_state` text DEFAULT 'none' NOT NULL,
	`callback_attempts` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sim_vtpass_transactions_status_idx` ON `sim_vtpass_transactions` (`status`);--> statement-breakpoint
CREATE INDEX `sim_vtpass_transactions_callback_idx` ON `sim_vtpass_transactions` (`callback_state`);