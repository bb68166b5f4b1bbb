CREATE INDEX `ledger_entries_created_idx` ON `ledger_entries` (`created_at`);--> statement-breakpoint
CREATE INDEX `ledger_entries_related_idx` ON `ledger_entries` (`related_id`);--> statement-breakpoint
CREATE INDEX `ledger_entries_reference_idx` ON `ledger_entries` (`reference`);--> statement-breakpoint
CREATE INDEX `deposits_receipt_idx` ON `deposits` (`receipt`);--> statement-breakpoint
CREATE INDEX `provider_events_external_idx` ON `provider_events` (`external_id`);--> statement-breakpoint
CREATE INDEX `purchases_recipient_idx` ON `purchases` (`recipient`);