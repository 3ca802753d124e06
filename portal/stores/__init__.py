"""The store connector: shops (Shopify, any other through the generic API or a bulk import)
put their customers, orders, parcels and money in through one set of commands
(`portal.stores.commands`), and shopper actions go back to the shop as outbound events."""
