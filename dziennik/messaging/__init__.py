"""Messages (Wiadomości): threads between families and the school, attachments, read receipts."""
