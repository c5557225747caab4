"""SMS delivery: the encoding of a text into parts (``encoding``), the phone number
(``address``), and two gateways: SMPP 3.4 (``smpp.SmppChannel``) and an HTTP API of the
kind Polish providers offer (``http.HttpSmsChannel``). docs/notifications.md, "SMS"."""
