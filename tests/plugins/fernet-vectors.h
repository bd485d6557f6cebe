/* SPDX-License-Identifier: MIT */
/* The test vectors of fernet-hybrid.md §6 (generated from the protocol file; do not edit by hand). */
#ifndef FERNET_VECTORS_H
#define FERNET_VECTORS_H

/* §6.1 handshake bytes. */
#define V_NICK "NICK"
#define V_NICKACCEPT "NICKACCEPT"
#define V_NICKTAKEN "NICKTAKEN"
#define V_BOB_JOINED "bob joined the chat!"
#define V_BOB_LEFT "bob left the chat."

/* §6.2 the test keys (fixed, for tests only). */
#define V_ALICE_PRIVATE_PEM \
	"-----BEGIN RSA PRIVATE KEY-----\n" \
	"MIIEowIBAAKCAQEA6FmbnLObUk9wRFMwSwhShcyZh8glfg9Y8/hzm0RDp5Pq9mz2\n" \
	"ic9t+cI74hU32P2U5rEZjFJXMwd1l01beUjVU+uHc8r2V3utWFyRNz+/n01riGba\n" \
	"a7g5y9C53oc+M1cybogYQt0TaWL8rGQUMNI/5MltcX+h7hyvqmjtx7R1+eiDEMJ5\n" \
	"rVAXENLlgv3CkIHHjuHJKbfoW/brfC9haG/V1pi1/Zqkmhyw0pY8czXJYedN2cL3\n" \
	"c53yBy3m06hE64/W0q8x6iVsu51t/o9xJPeJsQ6GJCiEMZSyPAvCDZWVxDFMgIK9\n" \
	"oMZZLCCDnSYxwNZhGaV5EubinxJBNJlg2BkGowIDAQABAoIBADkt1B28FX0sD3TB\n" \
	"BCFy6twCfcXse02KeVmQyuJq6jtTK395UTKY2XedVR9OGXBM91fOPXtKyCrGqymQ\n" \
	"3/H4+oasb6kPSZA932rfXN070uxhIRVwOlBIBfEibJtWrPf1fXO2CkJqJVzJ/2Rt\n" \
	"PIrHMvIan9ROlIsEhDZrnBiJUH8vQQIIX2n3e7dqoNby0dXKj4r7Nz8Uo5RGNJQT\n" \
	"T9lu8u6S5WingP/YHGgjeWYo7N9+mLuvts0c73F6ghHX4AjReWnE8XHhgwbYRURN\n" \
	"3ogRaf8IRmDmFRfJi5hERYvig7tW7AgtSuj54gzocCfmtoZS2Vhnddmx3XaRm6ev\n" \
	"oMhtOAECgYEA7yl2HEj0X8V1EcrwO70uvcKPfbiR5X4GFqDIRddfwFT3mskV+Add\n" \
	"DPip5QQRXq1kl5dS557YS6AzcjVaVNyJUPV2xDs7kNnm5TuJNFxhEm1zlMsq0V/g\n" \
	"U26qB57C//bXWskQVElhX5e17RuqqVHUte2Abl25SHk5KsMkoLh4o50CgYEA+LVf\n" \
	"IrAvb3BYXNY3i8Smw1xnl7kWORMeZ73RNEDT84ORjQ21ymzDQU7AIGyQ0CilYABF\n" \
	"nBJtUt8zisWC/L8AZGpz7thDboruNwnU7C5uDVosIHCqjkgTTP7oXbtkn3ysnu/v\n" \
	"D5dRf5EzxwIiq0Y5CfpaqCZTVG06UnxzmaV/3z8CgYAHHbaz9L/AscFf/CfVvzVK\n" \
	"1CUs2ncM2wkXV0VePqBMurp7UoxiyuVL44I6nDpgFMyvbgM7fRB2f5fISCod6En1\n" \
	"rLgR8qk9EB68p17Xvf/tanBL9xeZDz8/fEV24JRwxUl3HBBuUZiiHYN+QJp9Wz/3\n" \
	"AdAWeJdwvpqi2ReX6KU+SQKBgDiY/bdlJMZVaKZn0WgrLlAS/TgX1KjUYvz0w2EC\n" \
	"x7kI3dydnBseuShphWtbiXD1bvzz0uN7hglv5cjUvcRKqwou94cJC/9h+mfoAt5k\n" \
	"ioLbXGNdgFK0sD+7WqHJ/VIWCyp4K4z+wHspTgEhyUX0yxIsOOk/H4N8/+K5k40J\n" \
	"jpn9AoGBAKCNCjin5V2fPRoRGzAc95hFYqJi2Fb3wR0GsKz8akLUhKTnPJwvvEUn\n" \
	"v90C0Tba3tEOAv6ygv5VLTexBE3ujfx+vLuPX4mNiXNtisURZMVhwML4wJW9hqHz\n" \
	"DjK11P6B1U9D2Emb83uBxUXi3feHHNHNX6bo8ukqMq84raqwLBf8\n" \
	"-----END RSA PRIVATE KEY-----\n"

#define V_ALICE_PUBLIC_PEM \
	"-----BEGIN PUBLIC KEY-----\n" \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA6FmbnLObUk9wRFMwSwhS\n" \
	"hcyZh8glfg9Y8/hzm0RDp5Pq9mz2ic9t+cI74hU32P2U5rEZjFJXMwd1l01beUjV\n" \
	"U+uHc8r2V3utWFyRNz+/n01riGbaa7g5y9C53oc+M1cybogYQt0TaWL8rGQUMNI/\n" \
	"5MltcX+h7hyvqmjtx7R1+eiDEMJ5rVAXENLlgv3CkIHHjuHJKbfoW/brfC9haG/V\n" \
	"1pi1/Zqkmhyw0pY8czXJYedN2cL3c53yBy3m06hE64/W0q8x6iVsu51t/o9xJPeJ\n" \
	"sQ6GJCiEMZSyPAvCDZWVxDFMgIK9oMZZLCCDnSYxwNZhGaV5EubinxJBNJlg2BkG\n" \
	"owIDAQAB\n" \
	"-----END PUBLIC KEY-----\n"

#define V_BOB_PRIVATE_PEM \
	"-----BEGIN RSA PRIVATE KEY-----\n" \
	"MIIEogIBAAKCAQEAwTSv0KEQTpOIYN4qFfG/DzYcDGYYA8W0uNuJzX1w63bWp+hW\n" \
	"hSUcdNhNO3eq4ZVA654EdgKYqqd9agMWqsMrp6pM34A4NRoVZtWbftiKM0rj2frj\n" \
	"IEcmOasWfgrKgxy3eK1Z9XUcBrQmNa1FY5langx4+lnl7lXH7KM/OUOqJfBEpb5n\n" \
	"O0TpJzMS3T1urwowKe9RJQLYlDlMQPvCuqHoCBsIYWk+XOO4xGoeBOSQVWDiQge1\n" \
	"1oM8puuwiNpEjrHz/GhNTmjw0FwEzZIqRm1eu8TDjExuho4IM0VxlF1RkLo+aSkJ\n" \
	"uvxMWOCkBt1K0x4b5xL9GTLN4PTIrEFnLEbx2wIDAQABAoIBAACtbgRkQpaT8kF5\n" \
	"f4168h/1us/ZHjJwY6IJgW7LOgJWKCO6+9RIFtTa2ujfeL9SJg66Pur1aiwHBFIp\n" \
	"cQK0rOPpalv9d7T8wqBze7Hl+BR8w1aRu6Ql7uthPzK+WCSkWbxX/aqPq5AWdGyk\n" \
	"9X5UHLsH8V10Kgs8GV322izmoNa0z5qXFp9/G+cFxZIaT76+2GWaXjg83Q6kJvXf\n" \
	"e/IUON0yo8V4O08Atz6hd+Qf0edVYhsNbW51JgCMuNbqyzIYwaj7CDMD510t5yCb\n" \
	"0j9aUcXCIFBAohJew4GUHzMljYP0GlGx53ZGijbyy8UJpqe556CryJHeuM3spnAm\n" \
	"jQDEiBkCgYEAyH8f0Y3RjJRhILgK7hJ3pANHeuuhSk3Gj6a2GzmBdK6UnDtGhLic\n" \
	"9M7LBut9tF3lUC71HLM5ExkZCCirze2GXydBhTBy8+Z+/U9REGuTVo7pLJi3qmzX\n" \
	"bGO3cnSX49uF/cCbgKc7IqYQJpwoePGfcsPaxqkVDjLQeh51Oh8QOs8CgYEA9rDg\n" \
	"hPvz63dVLxwxjs62tKWxK1QGUuSgodaaE2G/X0Z4pJ5yESonTCa8JEC20G7O2uQi\n" \
	"xO9mKzoiNc/EurTUg4YtQ/FJHcu164TF1CWHAoTBOA+2t2WmQk73Z/zYEyGwRckO\n" \
	"XPwipl6VUNGeNpzqjGxJUqydxvsrs3uKRzXWKzUCgYBxNw+xliKA/nyGLEbHvpfe\n" \
	"fpeLeqjeO2LnVR057FQEnlx+iB4+7bx7pJYSt0GJawgFKi7w4OdWuHJhIA47v2eE\n" \
	"LbeazQvsW/jTc0l0Ozq8wwA6VZZI3yMaKoi5Ucs/OIPGEU/96vDClQFDvCRCfzYp\n" \
	"aR0N1wZzuQ/uFWrewhG5EwKBgAHE5vdNL0SjCHNcCmbxyJGnFowvABScGyLN/TDi\n" \
	"ZJL0WG0lzb+dw8ZiCLth023PPaCIPk+XP+5TbmdgZBLKtTN0ROLV2iZijZ1wyFJr\n" \
	"Knq0JQaX5kGOcxDKrC+Muqf4d+EoPfggvsbeqsd3mWDe4ze6lxQGtOL2bivNWQKF\n" \
	"ulF5AoGAEkUmNB8Ew+ZKM7fwZUd3n6oteAelhtc5c8IdhEKt28jbDsI2CT7VofDE\n" \
	"PUTtJXLMM46z7VNZPJ7/DhJDFJPSQAVQbTLTDh49DUo2diaoQe6Q7pvocmq0e8A3\n" \
	"sHJpmBSz5GvHR+x3CzdlY0/S6i+3lZN9jdNSWWxzCFnnr8HRlEE=\n" \
	"-----END RSA PRIVATE KEY-----\n"

#define V_BOB_PUBLIC_PEM \
	"-----BEGIN PUBLIC KEY-----\n" \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwTSv0KEQTpOIYN4qFfG/\n" \
	"DzYcDGYYA8W0uNuJzX1w63bWp+hWhSUcdNhNO3eq4ZVA654EdgKYqqd9agMWqsMr\n" \
	"p6pM34A4NRoVZtWbftiKM0rj2frjIEcmOasWfgrKgxy3eK1Z9XUcBrQmNa1FY5la\n" \
	"ngx4+lnl7lXH7KM/OUOqJfBEpb5nO0TpJzMS3T1urwowKe9RJQLYlDlMQPvCuqHo\n" \
	"CBsIYWk+XOO4xGoeBOSQVWDiQge11oM8puuwiNpEjrHz/GhNTmjw0FwEzZIqRm1e\n" \
	"u8TDjExuho4IM0VxlF1RkLo+aSkJuvxMWOCkBt1K0x4b5xL9GTLN4PTIrEFnLEbx\n" \
	"2wIDAQAB\n" \
	"-----END PUBLIC KEY-----\n"

/* SHA-256 of the announcements PUBKEY::alice::<PEM> (466 bytes) and PUBKEY::bob::<PEM> (464). */
#define V_ALICE_ANNOUNCE_SHA256 "3e7fb235dd070a85ee521a9123b168f2078035c6363bf64903e52e39308be72f"
#define V_BOB_ANNOUNCE_SHA256 "d7c1928d463f5134e9071e7d54642ad0249349ee946bd9f52a806dff2046e772"

/* §6.3 the Fernet token. */
#define V_KEY_RAW_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define V_KEY_TEXT "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define V_TIMESTAMP 1700000000ull
#define V_IV_HEX "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
#define V_PLAINTEXT "alice: hello bob"
#define V_TOKEN_RAW_HEX \
	"80000000006553f100a0a1a2a3a4a5a6a7a8a9aaabacadaeaf8e2d1912d17fcb" \
	"4b604bcf1aaa249c7dfc91272382c4609e635f435c93e044ea25ed320f805bd9" \
	"4676a89f1ce3654695757242c6aacf6351139ff4998e0b6632"
#define V_TOKEN \
	"gAAAAABlU_EAoKGio6SlpqeoqaqrrK2ur44tGRLRf8tLYEvPGqoknH38kScjgsRg" \
	"nmNfQ1yT4ETqJe0yD4Bb2UZ2qJ8c42VGlXVyQsaqz2NRE5_0mY4LZjI="

/* §6.4 RSA-OAEP of V_KEY_TEXT with fixed seeds (11 x 32 to alice, 22 x 32 to bob). */
#define V_SEED_ALICE_BYTE 0x11
#define V_SEED_BOB_BYTE 0x22
#define V_OAEP_ALICE_HEX \
	"97f06c166f4b3209936e60685591b22edb789af7fb4e0d443597483b59de2cbc" \
	"05f9dc61f0cb9c28c4e7995be9b64b27fd7258978c114376435514a0206a1997" \
	"28e0562f4cc7f46e208be05eb23f44f3a4fe0e8b51f096d1de6d216b341ce1d1" \
	"3e0e7b126c2e1957c1196201b7bcc7965e3e22b69e83744edc62618364135593" \
	"71a70be025c0c3d20352ab7e50abc34ff5d629b5e77eb5a804483772ab7592e5" \
	"6534cf9a178db96c30ecb34eb4a17f1ca46ad778278c0d53c02b6edab504383e" \
	"4181db1f1f0b93c888642e9053d1655ea7601a920e8a80eda6f6b8f6ea4d41ec" \
	"fda882519a503967ac7f75fa9d6db16bcd5360bf75b849dec62e00fdb6ff49a8"
#define V_OAEP_BOB_HEX \
	"6235ed2ac765799a6d79c546509b7a598bbe8b4129b945104034cc9a7b1180fc" \
	"f634c628feb85f1d6eb446acb244fc75a98c8bc10a6551d46ccc229a4d26e6de" \
	"8caf922bd051e999cbc73812f4286d8e1e73385ec207e979f4e6bed1b9a3d717" \
	"21558c15e760d1950df8be7f82b72ee4f638505dddddcf852a835e2f60665893" \
	"c46c1489e1e298aac062260c484b251cfa1a301413a112076b5ad77599130af4" \
	"5312c05b1f5b2ff8d7ac70ef65d5560dee9ce9c23dd997efd9da1ae241f79752" \
	"ade32fb8161d67fa06c2f6cea8d83684be3d5a179bef58d5af3a2373d5f5b62c" \
	"4cb2b2d98a122873ef4c4a49e6b51f7e1cff4380295ba78117b896290ad8d063"

/* §6.5 the whole package alice sends to alice and bob (877 bytes). */
#define V_PACKAGE \
	"{\"encrypted_message\": \"gAAAAABlU_EAoKGio6SlpqeoqaqrrK2ur" \
	"44tGRLRf8tLYEvPGqoknH38kScjgsRgnmNfQ1yT4ETqJe0yD4Bb2UZ2q" \
	"J8c42VGlXVyQsaqz2NRE5_0mY4LZjI=\", \"encrypted_keys\": {\"al" \
	"ice\": \"l/BsFm9LMgmTbmBoVZGyLtt4mvf7Tg1ENZdIO1neLLwF+dxh8" \
	"MucKMTnmVvptksn/XJYl4wRQ3ZDVRSgIGoZlyjgVi9Mx/RuIIvgXrI/R" \
	"POk/g6LUfCW0d5tIWs0HOHRPg57EmwuGVfBGWIBt7zHll4+Iraeg3RO3" \
	"GJhg2QTVZNxpwvgJcDD0gNSq35Qq8NP9dYpted+tagESDdyq3WS5WU0z" \
	"5oXjblsMOyzTrShfxykatd4J4wNU8Arbtq1BDg+QYHbHx8Lk8iIZC6QU" \
	"9FlXqdgGpIOioDtpva49upNQez9qIJRmlA5Z6x/dfqdbbFrzVNgv3W4S" \
	"d7GLgD9tv9JqA==\", \"bob\": \"YjXtKsdleZptecVGUJt6WYu+i0EpuU" \
	"UQQDTMmnsRgPz2NMYo/rhfHW60RqyyRPx1qYyLwQplUdRszCKaTSbm3o" \
	"yvkivQUemZy8c4EvQobY4eczhewgfpefTmvtG5o9cXIVWMFedg0ZUN+L" \
	"5/grcu5PY4UF3d3c+FKoNeL2BmWJPEbBSJ4eKYqsBiJgxISyUc+howFB" \
	"OhEgdrWtd1mRMK9FMSwFsfWy/416xw72XVVg3unOnCPdmX79naGuJB95" \
	"dSreMvuBYdZ/oGwvbOqNg2hL49Wheb71jVrzojc9X1tixMsrLZihIoc+" \
	"9MSknmtR9+HP9DgClbp4EXuJYpCtjQYw==\"}}"
#define V_PACKAGE_LEN 877

#endif /* FERNET_VECTORS_H */
