ALTER TABLE `adjustments` ADD `request_key` text;--> statement-breakpoint
ALTER TABLE `adjustments` ADD `request_hash` text;--> statement-breakpoint
CREATE UNIQUE INDEX `adjustments_request_key_idx` ON `adjustments` (`requested_by`,`request_key`);