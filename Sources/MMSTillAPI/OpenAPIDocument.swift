/// The till API's contract, served at `GET /v1/openapi.json`. Edited by hand with the routes in
/// `TillAPI.router()`; the tests check every route's answers against its schemas.
enum OpenAPIDocument {
    static let json = #"""
{
 "openapi": "3.1.0",
 "info": {
  "title": "MMS till API",
  "version": "1",
  "description": "Every branch node serves its tills over HTTPS on its topology api address. A till logs an operator in with its own token (POST /v1/sessions) and then sends the session token. Writes take an Idempotency-Key. Errors are {ok:false,error,message,details} with the stable codes of the CLI."
 },
 "servers": [
  {
   "url": "https://127.0.0.1:8401",
   "description": "branch-1 of the demo chain"
  }
 ],
 "paths": {
  "/v1/sessions": {
   "post": {
    "summary": "Log an operator in at this till",
    "security": [
     {
      "till": []
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/LoginRequest"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Session"
        }
       }
      }
     },
     "400": {
      "description": "bad input",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "unknown till, revoked till, unknown operator or wrong password",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "operator disabled, locked, or of another branch",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   },
   "delete": {
    "summary": "Log out (end this session)",
    "security": [
     {
      "session": []
     }
    ],
    "responses": {
     "204": {
      "description": "ended"
     },
     "401": {
      "description": "no or unknown session",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/cards/{number}": {
   "get": {
    "summary": "A card: balance, points, tier, status, uses_left, coupons, history",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "number",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "card number, or a member code (会员码)"
     },
     {
      "name": "history",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 0,
       "maximum": 1000
      },
      "description": "how many history entries (0–1000, default 20) (empty: no filter)"
     }
    ],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CardView"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "a member code past its two minutes (member_code_expired)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/members": {
   "get": {
    "summary": "Members by phone",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "phone",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^\\+?([0-9][ -]?){4,19}[0-9]$",
       "description": "5–20 digits, an optional leading +; spaces and dashes between digits are ignored"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/MemberList"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   },
   "post": {
    "summary": "Add a member",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Member"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/MemberRequest"
       }
      }
     }
    }
   }
  },
  "/v1/members/{id}": {
   "get": {
    "summary": "A member: balances, points, tier, coupons, history",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "member id"
     }
    ],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CardView"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/cards": {
   "post": {
    "summary": "Issue a card to a member; with product, one of the program's card products (and its first top-up)",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "oneOf": [
          {
           "$ref": "#/components/schemas/Card"
          },
          {
           "$ref": "#/components/schemas/CardLife"
          }
         ]
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/CardRequest"
       }
      }
     }
    }
   }
  },
  "/v1/cards/{number}/lost": {
   "post": {
    "summary": "Report a card lost (blocked everywhere once heard)",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     },
     {
      "name": "number",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "card number"
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CardEvent"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/cards/{number}/block": {
   "post": {
    "summary": "Block a card",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     },
     {
      "name": "number",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "card number"
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CardEvent"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/cards/{number}/unlock": {
   "post": {
    "summary": "Clear a card's wrong-PIN lock",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     },
     {
      "name": "number",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "card number"
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CardEvent"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/cards/{number}/replace": {
   "post": {
    "summary": "Replace a card: a new number takes over the member's accounts",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     },
     {
      "name": "number",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "the card replaced"
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Card"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/ReplaceRequest"
       }
      }
     }
    }
   }
  },
  "/v1/topups": {
   "post": {
    "summary": "Top up stored value",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Payment"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/TopUpRequest"
       }
      }
     }
    }
   }
  },
  "/v1/charges": {
   "post": {
    "summary": "Pay from stored value (asks peers for rights held elsewhere, unless partial)",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Payment"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/ChargeRequest"
       }
      }
     }
    }
   }
  },
  "/v1/refunds": {
   "post": {
    "summary": "Refund (part of) an earlier charge",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Payment"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/RefundRequest"
       }
      }
     }
    }
   }
  },
  "/v1/sales": {
   "post": {
    "summary": "A sale: catalogue items and amount lines paid by one or more tenders, for a member's card or a walk-in customer; `amount` alone is the one-line sale",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Sale"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/BasketRequest"
       }
      }
     }
    }
   }
  },
  "/v1/sales/quote": {
   "post": {
    "summary": "What a basket comes to (prices here, the card's discount, the rounding), decided as its sale would be, with nothing written; `sale` is empty",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [],
    "responses": {
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "200": {
      "description": "the priced basket",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Sale"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/BasketRequest"
       }
      }
     }
    }
   }
  },
  "/v1/points/redemptions": {
   "post": {
    "summary": "Redeem points",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Payment"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/PointsRequest"
       }
      }
     }
    }
   }
  },
  "/v1/punches": {
   "post": {
    "summary": "Use a punch card",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Payment"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/PunchRequest"
       }
      }
     }
    }
   }
  },
  "/v1/coupons": {
   "post": {
    "summary": "Give a member a single-use coupon",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Coupon"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/CouponRequest"
       }
      }
     }
    }
   }
  },
  "/v1/coupons/{code}/redemptions": {
   "post": {
    "summary": "Use a coupon (once, anywhere)",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     },
     {
      "name": "code",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "coupon code"
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Coupon"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/audit": {
   "get": {
    "summary": "Who did what, where, when (manager: own branch; auditor, hq_admin: all)",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "operator",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{0,64}$"
      },
      "description": "operator id (empty: no filter)"
     },
     {
      "name": "branch",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{0,64}$"
      },
      "description": "node id (empty: no filter)"
     },
     {
      "name": "kind",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{0,64}$"
      },
      "description": "op kind, e.g. charge (empty: no filter)"
     },
     {
      "name": "from",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "pattern": "^((19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$"
      },
      "description": "date (or ISO 8601 time), inclusive (empty: no filter)"
     },
     {
      "name": "to",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "pattern": "^((19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$"
      },
      "description": "date (or ISO 8601 time), exclusive (empty: no filter)"
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 10000
      },
      "description": "at most this many (1–10000, default 1000) (empty: no filter)"
     }
    ],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Audit"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/openapi.json": {
   "get": {
    "summary": "This document",
    "security": [],
    "responses": {
     "200": {
      "description": "the OpenAPI document",
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      }
     }
    }
   }
  },
  "/v1/products": {
   "get": {
    "summary": "Products by SKU, barcode or part of the name (all for an empty query), with this branch's price",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "query",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 60
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "integer",
       "minimum": 1,
       "maximum": 200
      }
     }
    ],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ProductList"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/products/{sku}": {
   "get": {
    "summary": "One product, with this branch's price",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "sku",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Product"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/stock": {
   "get": {
    "summary": "This branch's stock (or one product's), what is low, and transfers on their way",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "sku",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Stock"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/sales/{origin}/{seq}/returns": {
   "post": {
    "summary": "Give back some lines of a sale (or all that is left): money back the way it came (stored value first, then bank and mobile, then cash), goods to the shelf, commission and points taken back. A cashier on the sale's day; after it, a manager.",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "origin",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "seq",
      "in": "path",
      "required": true,
      "schema": {
       "type": "integer",
       "minimum": 1
      }
     },
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object",
        "properties": {
         "lines": {
          "type": "array",
          "items": {
           "type": "object",
           "properties": {
            "line": {
             "type": "integer",
             "minimum": 1
            },
            "quantity": {
             "type": "integer",
             "minimum": 1
            }
           },
           "required": [
            "line",
            "quantity"
           ]
          },
          "description": "1-based receipt lines and units; leave out for everything left"
         }
        }
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SaleReturn"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/cards/{number}/transfers": {
   "post": {
    "summary": "Move stored value from this card to another member's card (a manager), with this card's PIN",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     },
     {
      "name": "number",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "the card paying"
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CardLife"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/TransferRequest"
       }
      }
     }
    }
   }
  },
  "/v1/cards/{number}/pin": {
   "post": {
    "summary": "Change the card's PIN with the old one (a manager resets it without)",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     },
     {
      "name": "number",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "the card"
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CardLife"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/PINChangeRequest"
       }
      }
     }
    }
   }
  },
  "/v1/cards/{number}/return": {
   "post": {
    "summary": "退卡 (a manager): the card stops; the member's last stored-value card refunds the balance",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     },
     {
      "name": "number",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "the card"
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CardLife"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/CardReturnRequest"
       }
      }
     }
    }
   }
  },
  "/v1/cards/{number}/renew": {
   "post": {
    "summary": "续卡: the card's product validity again",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     },
     {
      "name": "number",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "the card"
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CardLife"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/campaigns/{id}/runs": {
   "post": {
    "summary": "Run a campaign of the program (head office): its gift to each member of its segment, once",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     },
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "the campaign's id"
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CampaignRun"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/program": {
   "get": {
    "summary": "Every rule of the program in force here, with its version",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Program"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/points/expiring": {
   "get": {
    "summary": "Members whose points lots end before a day",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "before",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PointsExpiring"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/gifts/{id}/redemptions": {
   "post": {
    "summary": "积分兑换: a gift of the program's catalogue for its points; one unit of its SKU leaves this branch's stock",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     },
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "the gift's id in the program"
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Payment"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/GiftRequest"
       }
      }
     }
    }
   }
  },
  "/v1/points/transfers": {
   "post": {
    "summary": "Points from a card's member to another member (the program's points.transferable), within what this branch holds",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PointsTransfer"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/PointsTransferRequest"
       }
      }
     }
    }
   }
  },
  "/v1/coupons/{code}/transfers": {
   "post": {
    "summary": "A transferable coupon, unused, given by its member (card and PIN) to another member (at the node holding its use)",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     },
     {
      "name": "code",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "the coupon's code"
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CouponTransfer"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/CouponTransferRequest"
       }
      }
     }
    }
   }
  },
  "/v1/birthday-gifts": {
   "post": {
    "summary": "生日礼 (head office): every member born in the month whose tier gives a birthday coupon gets it, once that year",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     }
    ],
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CampaignRun"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/BirthdayGiftsRequest"
       }
      }
     }
    }
   }
  },
  "/v1/reports/sales": {
   "get": {
    "summary": "Sales from one day to another (both counted, China Standard Time), by branch, day, hour, category, product or staff; a manager sees their branch",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "from",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
      }
     },
     {
      "name": "to",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
      }
     },
     {
      "name": "by",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "branch",
        "day",
        "hour",
        "category",
        "product",
        "staff"
       ]
      }
     },
     {
      "name": "format",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "json",
        "csv"
       ]
      },
      "description": "csv: the rows as CSV"
     }
    ],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SalesReport"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/reports/branches": {
   "get": {
    "summary": "The branches compared from one day to another (both counted, China Standard Time): sales, net and share, average ticket, top-ups, new and active members, money owed; ranked by net sales; a manager sees their branch",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "from",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
      }
     },
     {
      "name": "to",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
      }
     },
     {
      "name": "format",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "json",
        "csv"
       ]
      },
      "description": "csv: the rows as CSV"
     }
    ],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/BranchesReport"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/reports/tiers": {
   "get": {
    "summary": "How the members spread over the tiers now, with what reaches each tier; a manager sees their branch's members",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/TiersReport"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/reports/tier-moves": {
   "get": {
    "summary": "Members who changed tier month by month (the tier at each month's end against the month before, by today's ladder); a manager sees their branch's members",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "from",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{4}-[0-9]{2}$"
      }
     },
     {
      "name": "to",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{4}-[0-9]{2}$"
      }
     },
     {
      "name": "format",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "json",
        "csv"
       ]
      },
      "description": "csv: the rows as CSV"
     }
    ],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/TierMovesReport"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/reports/staff": {
   "get": {
    "summary": "Staff performance in a month (China Standard Time), per staff member and branch: sales, net, average ticket, returns, top-ups and cards credited, commission; ranked by net sales; a manager sees their branch",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "month",
      "in": "query",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{4}-[0-9]{2}$"
      }
     },
     {
      "name": "format",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "json",
        "csv"
       ]
      },
      "description": "csv: the rows as CSV"
     }
    ],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/StaffReport"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/reports/members": {
   "get": {
    "summary": "Members: growth, active, dormant, zero-spend; with segments=true, value classes A/B/C and RFM groups",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "segments",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "true",
        "false"
       ]
      }
     }
    ],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/MembersReport"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/reports/liability": {
   "get": {
    "summary": "Prepaid principal and bonus owed, by home branch, reconciled with the sum of balances (head office)",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/LiabilityReport"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/reports/points": {
   "get": {
    "summary": "Points outstanding and expired, by lot and expiry month; earned and redeemed per branch and month",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PointsReport"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/reports/campaigns/{id}": {
   "get": {
    "summary": "A campaign's results: coupons issued and used, the sales they paid, points given (head office)",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "the campaign's id"
     }
    ],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/CampaignReport"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/outbox": {
   "get": {
    "summary": "The messages queued for the chain's gateway and how far their sending got",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "status",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "enum": [
        "queued",
        "sent",
        "failed"
       ]
      }
     },
     {
      "name": "limit",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string",
       "pattern": "^[0-9]{1,5}$"
      }
     }
    ],
    "responses": {
     "200": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/OutboxList"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/exports/{what}": {
   "get": {
    "summary": "Members, sales or ops as CSV (UTF-8 with a byte-order mark); members' personal data only for hq_admin; recorded in the audit trail",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "what",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "enum": [
        "members",
        "sales",
        "ops"
       ]
      }
     },
     {
      "name": "from",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "name": "to",
      "in": "query",
      "required": false,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "200": {
      "description": "the CSV (UTF-8 with a byte-order mark)",
      "content": {
       "text/csv": {
        "schema": {
         "type": "string"
        }
       }
      }
     }
    }
   }
  },
  "/v1/reminders": {
   "post": {
    "summary": "Reminders of a kind: listed, and queued to the outbox once per member and occasion (dry_run: listed only)",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/ReminderRequest"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ReminderList"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/members/{id}/consent": {
   "post": {
    "summary": "A member's consent to messages",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     },
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "member id"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/ConsentRequest"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "the answer",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Consent"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "400": {
      "description": "bad input (invalid_argument, invalid_amount)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown card, member or coupon",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "409": {
      "description": "idempotency_conflict, or the thing exists already",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "refused by a rule: insufficient_funds, wrong_pin, card_blocked, …",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  },
  "/v1/members/{id}/photo": {
   "get": {
    "summary": "A member's photo, to show the cashier who holds the card",
    "description": "The image as taken (image/jpeg or image/png, never cached). Head office and the member's home branch keep every photo of their members; another node asks them over its peer links and answers 202 until the photo has come (ask again in a second or two). Never needed for a sale.",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "member id"
     }
    ],
    "responses": {
     "200": {
      "description": "the image",
      "content": {
       "image/jpeg": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       },
       "image/png": {
        "schema": {
         "type": "string",
         "format": "binary"
        }
       }
      }
     },
     "202": {
      "description": "kept by other nodes: asked for, not here yet",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/PhotoFetching"
        }
       }
      }
     },
     "404": {
      "description": "no photo taken (not_found, reason no_photo)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   },
   "put": {
    "summary": "Take a member's photo (at sign-up, or again)",
    "description": "The body is the image itself: JPEG or PNG (by its first bytes), at most 56 KiB. The node keeps it sealed with the chain's key; a member_photo_set op carries its BLAKE2b-256 digest and size to every node, never the image.",
    "security": [
     {
      "session": []
     }
    ],
    "parameters": [
     {
      "name": "Idempotency-Key",
      "in": "header",
      "required": false,
      "schema": {
       "type": "string",
       "maxLength": 64
      },
      "description": "The same key again gets the first answer and changes nothing; with other content, 409 idempotency_conflict. Scoped to the till."
     },
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "pattern": "^[A-Za-z0-9._:-]{1,64}$"
      },
      "description": "member id"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "image/jpeg": {
       "schema": {
        "type": "string",
        "format": "binary"
       }
      },
      "image/png": {
       "schema": {
        "type": "string",
        "format": "binary"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "the photo recorded",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/MemberPhoto"
        }
       }
      }
     },
     "400": {
      "description": "not a JPEG or PNG, or too large (invalid_argument, reason not_an_image or photo_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "unknown member (unknown_member)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "body too large (body_too_large)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "405": {
      "description": "the path exists, the method does not (invalid_argument; Allow lists the methods)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "no or expired session (unauthenticated, session_expired, till_revoked)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "403": {
      "description": "the operator's role may not (not_permitted)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "503": {
      "description": "store fault (store_failure)",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    }
   }
  }
 },
 "components": {
  "schemas": {
   "Error": {
    "type": "object",
    "properties": {
     "ok": {
      "type": "boolean",
      "const": false
     },
     "error": {
      "type": "string",
      "description": "stable code, e.g. insufficient_funds"
     },
     "message": {
      "type": "string"
     },
     "details": {
      "type": "object",
      "additionalProperties": {
       "type": "string"
      }
     }
    },
    "required": [
     "ok",
     "error",
     "message",
     "details"
    ]
   },
   "LoginRequest": {
    "type": "object",
    "properties": {
     "operator": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$"
     },
     "password": {
      "type": "string",
      "maxLength": 128
     }
    },
    "required": [
     "operator",
     "password"
    ]
   },
   "Session": {
    "type": "object",
    "properties": {
     "token": {
      "type": "string"
     },
     "operator": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "role": {
      "type": "string",
      "enum": [
       "cashier",
       "manager",
       "hq_admin",
       "auditor"
      ]
     },
     "branch": {
      "type": "string"
     },
     "till": {
      "type": "string"
     },
     "expires_at": {
      "type": "string"
     }
    },
    "required": [
     "token",
     "operator",
     "role",
     "branch",
     "till",
     "expires_at"
    ]
   },
   "MemberRequest": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string",
      "minLength": 1,
      "maxLength": 200,
      "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
     },
     "phone": {
      "type": "string",
      "pattern": "^\\+?([0-9][ -]?){4,19}[0-9]$",
      "description": "5–20 digits, an optional leading +; spaces and dashes between digits are ignored"
     },
     "birthday": {
      "type": "string",
      "pattern": "^(19[0-9]{2}|20[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$",
      "description": "YYYY-MM-DD, optional"
     },
     "referrer": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$",
      "description": "the member who brought this one: their referral reward comes with this member's first payment"
     }
    },
    "required": [
     "name",
     "phone"
    ]
   },
   "Member": {
    "type": "object",
    "properties": {
     "id": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "phone": {
      "type": "string",
      "description": "masked"
     },
     "birthday": {
      "type": [
       "string",
       "null"
      ]
     },
     "home": {
      "type": "string"
     },
     "tier": {
      "type": "string"
     },
     "balance": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "points": {
      "type": "integer"
     },
     "cards": {
      "type": [
       "array",
       "null"
      ],
      "items": {
       "type": "string"
      }
     },
     "bonus": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals: the bonus balance beside the principal (top-up bonuses: spent after it, never refunded)"
     }
    },
    "required": [
     "id",
     "name",
     "phone",
     "home",
     "tier",
     "balance",
     "points"
    ]
   },
   "MemberList": {
    "type": "object",
    "properties": {
     "members": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Member"
      }
     }
    },
    "required": [
     "members"
    ]
   },
   "CardRequest": {
    "type": "object",
    "properties": {
     "member": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$"
     },
     "type": {
      "type": "string",
      "enum": [
       "stored",
       "discount",
       "punch"
      ]
     },
     "number": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$"
     },
     "pin": {
      "type": "string",
      "pattern": "^[0-9]{4,6}$"
     },
     "discount": {
      "type": "integer",
      "minimum": 1,
      "maximum": 100,
      "description": "discount cards only: percent of the list price paid"
     },
     "uses": {
      "type": "integer",
      "minimum": 1,
      "maximum": 1000,
      "description": "punch cards only"
     },
     "staff": {
      "type": "string",
      "description": "the staff member credited with selling the card (commission.card)"
     },
     "product": {
      "type": "string",
      "description": "a card product of the program: its type, discount, uses and validity (instead of type)"
     },
     "topup": {
      "type": "string",
      "pattern": "^(0\\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,3}(\\.[0-9]{1,2})?|[1-4][0-9]{4}(\\.[0-9]{1,2})?|50000(\\.00?)?)$",
      "description": "a stored-value product's first top-up (at least its min_first_topup)"
     },
     "tender": {
      "type": "string",
      "enum": [
       "cash",
       "bank",
       "mobile"
      ],
      "description": "how the first top-up or the card's fee is paid (cash by default)"
     },
     "companion": {
      "type": "boolean",
      "description": "a companion card (副卡) of the member's tier: its discount, not the balance; as many as the tier gives, at the member's home branch"
     }
    },
    "required": [
     "member",
     "number"
    ]
   },
   "Card": {
    "type": "object",
    "properties": {
     "card": {
      "type": "string"
     },
     "member": {
      "type": "string"
     },
     "type": {
      "type": "string"
     },
     "status": {
      "type": "string"
     },
     "replaces": {
      "type": [
       "string",
       "null"
      ]
     },
     "discount_percent": {
      "type": [
       "integer",
       "null"
      ]
     },
     "uses_left": {
      "type": [
       "integer",
       "null"
      ]
     },
     "op": {
      "type": "string"
     }
    },
    "required": [
     "card",
     "member",
     "type",
     "status",
     "op"
    ]
   },
   "CardEvent": {
    "type": "object",
    "properties": {
     "op": {
      "type": "string"
     },
     "card": {
      "type": "string"
     },
     "status": {
      "type": "string"
     }
    },
    "required": [
     "op",
     "card",
     "status"
    ]
   },
   "ReplaceRequest": {
    "type": "object",
    "properties": {
     "number": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$",
      "description": "the new card's number"
     },
     "pin": {
      "type": "string",
      "pattern": "^[0-9]{4,6}$"
     }
    },
    "required": [
     "number"
    ]
   },
   "ChargeRequest": {
    "type": "object",
    "properties": {
     "card": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$"
     },
     "amount": {
      "type": "string",
      "pattern": "^(0\\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,3}(\\.[0-9]{1,2})?|[1-4][0-9]{4}(\\.[0-9]{1,2})?|50000(\\.00?)?)$",
      "description": "yuan, at most two decimals, from 0.01 to 50000.00 per transaction"
     },
     "pin": {
      "type": "string",
      "pattern": "^[0-9]{4,6}$"
     },
     "partial": {
      "type": "boolean"
     }
    },
    "required": [
     "card",
     "amount"
    ]
   },
   "RefundRequest": {
    "type": "object",
    "properties": {
     "card": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$"
     },
     "charge": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}/[1-9][0-9]{0,17}$",
      "description": "op id of the charge, e.g. branch-1/5"
     },
     "amount": {
      "type": "string",
      "pattern": "^(0\\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,3}(\\.[0-9]{1,2})?|[1-4][0-9]{4}(\\.[0-9]{1,2})?|50000(\\.00?)?)$",
      "description": "yuan, at most two decimals, from 0.01 to 50000.00 per transaction"
     }
    },
    "required": [
     "card",
     "charge",
     "amount"
    ]
   },
   "PointsRequest": {
    "type": "object",
    "properties": {
     "card": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$"
     },
     "points": {
      "type": "integer",
      "minimum": 1,
      "maximum": 100000000
     },
     "pin": {
      "type": "string",
      "pattern": "^[0-9]{4,6}$"
     }
    },
    "required": [
     "card",
     "points"
    ]
   },
   "PunchRequest": {
    "type": "object",
    "properties": {
     "card": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$"
     },
     "uses": {
      "type": "integer",
      "minimum": 1,
      "maximum": 1000
     },
     "pin": {
      "type": "string",
      "pattern": "^[0-9]{4,6}$"
     },
     "service": {
      "type": "string",
      "description": "the service (SKU) the uses pay for, when the card's product names several services"
     }
    },
    "required": [
     "card"
    ]
   },
   "CouponRequest": {
    "type": "object",
    "properties": {
     "member": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$"
     },
     "code": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$"
     },
     "value": {
      "type": "string",
      "pattern": "^(0(\\.0{1,2})?|0\\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,3}(\\.[0-9]{1,2})?|[1-4][0-9]{4}(\\.[0-9]{1,2})?|50000(\\.00?)?)$",
      "description": "yuan, 0.00 to 50000.00"
     },
     "title": {
      "type": "string",
      "maxLength": 200
     },
     "template": {
      "type": "string",
      "description": "a coupon template of the program: value, minimum spend and validity from it; the code is made"
     }
    },
    "required": [
     "member"
    ]
   },
   "Payment": {
    "type": "object",
    "properties": {
     "op": {
      "type": "string"
     },
     "kind": {
      "type": "string"
     },
     "card": {
      "type": "string"
     },
     "member": {
      "type": "string"
     },
     "amount": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     },
     "points": {
      "type": [
       "integer",
       "null"
      ]
     },
     "uses": {
      "type": [
       "integer",
       "null"
      ]
     },
     "balance": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "points_balance": {
      "type": "integer"
     },
     "points_earned": {
      "type": [
       "integer",
       "null"
      ]
     },
     "uses_left": {
      "type": [
       "integer",
       "null"
      ]
     },
     "tier": {
      "type": "string"
     },
     "replayed": {
      "type": "boolean"
     },
     "unpaid": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     },
     "bonus": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals: the part of amount from (a charge) or to (a top-up's bonus, a refund) the bonus balance"
     },
     "bonus_balance": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals: the member's bonus balance after the op"
     },
     "member_link": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^[A-Za-z0-9_-]+$",
      "description": "for the receipt's QR code: the member's page at /m/r/{member_link} on this node, to look at (no PIN, nothing can be done) for 24 hours"
     }
    },
    "required": [
     "op",
     "kind",
     "card",
     "member",
     "balance",
     "points_balance",
     "tier",
     "replayed"
    ]
   },
   "Coupon": {
    "type": "object",
    "properties": {
     "op": {
      "type": [
       "string",
       "null"
      ]
     },
     "code": {
      "type": "string"
     },
     "member": {
      "type": "string"
     },
     "value": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "title": {
      "type": "string"
     },
     "left": {
      "type": "integer"
     },
     "replayed": {
      "type": [
       "boolean",
       "null"
      ]
     },
     "template": {
      "type": [
       "string",
       "null"
      ],
      "description": "the program's coupon template it came from"
     },
     "min_spend": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "the sale's total must reach this"
     },
     "valid_until": {
      "type": [
       "string",
       "null"
      ],
      "description": "the last day it may be used, YYYY-MM-DD"
     }
    },
    "required": [
     "code",
     "member",
     "value",
     "title",
     "left"
    ]
   },
   "HistoryItem": {
    "type": "object",
    "properties": {
     "op": {
      "type": "string"
     },
     "kind": {
      "type": "string"
     },
     "at": {
      "type": "string"
     },
     "card": {
      "type": [
       "string",
       "null"
      ]
     },
     "amount": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     },
     "points": {
      "type": [
       "integer",
       "null"
      ]
     },
     "uses": {
      "type": [
       "integer",
       "null"
      ]
     }
    },
    "required": [
     "op",
     "kind",
     "at"
    ]
   },
   "CardView": {
    "type": "object",
    "properties": {
     "card": {
      "type": [
       "string",
       "null"
      ]
     },
     "type": {
      "type": [
       "string",
       "null"
      ]
     },
     "status": {
      "type": [
       "string",
       "null"
      ]
     },
     "member": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "phone": {
      "type": "string"
     },
     "tier": {
      "type": "string"
     },
     "balance": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "balance_here": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "rights": {
      "type": "object",
      "additionalProperties": {
       "type": "string"
      }
     },
     "points": {
      "type": "integer"
     },
     "uses_left": {
      "type": [
       "integer",
       "null"
      ]
     },
     "discount_percent": {
      "type": [
       "integer",
       "null"
      ]
     },
     "pin_failures": {
      "type": [
       "integer",
       "null"
      ]
     },
     "spent": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "topped_up": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "coupons": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Coupon"
      }
     },
     "history": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/HistoryItem"
      }
     },
     "bonus": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals: the bonus balance beside the principal"
     }
    },
    "required": [
     "member",
     "name",
     "phone",
     "tier",
     "balance",
     "balance_here",
     "rights",
     "points",
     "spent",
     "topped_up",
     "coupons",
     "history"
    ]
   },
   "AuditEntry": {
    "type": "object",
    "properties": {
     "op": {
      "type": "string"
     },
     "at": {
      "type": "string"
     },
     "branch": {
      "type": "string"
     },
     "operator": {
      "type": [
       "string",
       "null"
      ]
     },
     "till": {
      "type": [
       "string",
       "null"
      ]
     },
     "kind": {
      "type": "string"
     },
     "member": {
      "type": [
       "string",
       "null"
      ]
     },
     "card": {
      "type": [
       "string",
       "null"
      ]
     },
     "amount": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     },
     "points": {
      "type": [
       "integer",
       "null"
      ]
     },
     "subject": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "op",
     "at",
     "branch",
     "kind"
    ]
   },
   "Audit": {
    "type": "object",
    "properties": {
     "entries": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/AuditEntry"
      }
     }
    },
    "required": [
     "entries"
    ]
   },
   "Product": {
    "type": "object",
    "properties": {
     "sku": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "kind": {
      "type": "string",
      "enum": [
       "goods",
       "service"
      ]
     },
     "category": {
      "type": "string"
     },
     "price": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "price_here": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "this branch's price: its own if head office set one, else the list price"
     },
     "branch_prices": {
      "type": "object",
      "additionalProperties": {
       "type": "string",
       "pattern": "^-?[0-9]+\\.[0-9]{2}$",
       "description": "yuan, two decimals"
      }
     },
     "barcode": {
      "type": [
       "string",
       "null"
      ]
     },
     "unit": {
      "type": "string"
     },
     "active": {
      "type": "boolean"
     },
     "commission": {
      "type": [
       "string",
       "null"
      ],
      "description": "a percent (10%) or an amount per unit (5.00)"
     },
     "op": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "sku",
     "name",
     "kind",
     "category",
     "price",
     "price_here",
     "branch_prices",
     "unit",
     "active"
    ]
   },
   "ProductList": {
    "type": "object",
    "properties": {
     "products": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Product"
      }
     }
    },
    "required": [
     "products"
    ]
   },
   "StockItem": {
    "type": "object",
    "properties": {
     "sku": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "on_hand": {
      "type": "integer",
      "description": "may be below zero until a stocktake corrects the books"
     },
     "received": {
      "type": "integer"
     },
     "sold": {
      "type": "integer"
     },
     "returned_to_supplier": {
      "type": "integer"
     },
     "returned_by_customers": {
      "type": "integer"
     },
     "transferred_in": {
      "type": "integer"
     },
     "transferred_out": {
      "type": "integer"
     },
     "variance": {
      "type": "integer",
      "description": "stocktake corrections: counted minus the books"
     },
     "low_at": {
      "type": "integer"
     },
     "low": {
      "type": "boolean"
     }
    },
    "required": [
     "sku",
     "name",
     "on_hand",
     "received",
     "sold",
     "returned_to_supplier",
     "returned_by_customers",
     "transferred_in",
     "transferred_out",
     "variance",
     "low_at",
     "low"
    ]
   },
   "Transfer": {
    "type": "object",
    "properties": {
     "transfer": {
      "type": "string"
     },
     "sku": {
      "type": "string"
     },
     "quantity": {
      "type": "integer"
     },
     "from": {
      "type": "string"
     },
     "to": {
      "type": "string"
     },
     "status": {
      "type": "string",
      "enum": [
       "in_transit",
       "arrived"
      ]
     }
    },
    "required": [
     "transfer",
     "sku",
     "quantity",
     "from",
     "to",
     "status"
    ]
   },
   "Stock": {
    "type": "object",
    "properties": {
     "branch": {
      "type": "string"
     },
     "items": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/StockItem"
      }
     },
     "incoming": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Transfer"
      }
     },
     "outgoing": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/Transfer"
      }
     }
    },
    "required": [
     "branch",
     "items",
     "incoming",
     "outgoing"
    ]
   },
   "BasketRequest": {
    "type": "object",
    "properties": {
     "card": {
      "type": "string",
      "description": "the member's card; leave out for a walk-in customer"
     },
     "items": {
      "type": "array",
      "minItems": 1,
      "maxItems": 200,
      "items": {
       "type": "object",
       "properties": {
        "sku": {
         "type": "string"
        },
        "quantity": {
         "type": "integer",
         "minimum": 1,
         "maximum": 1000
        },
        "amount": {
         "type": "string",
         "pattern": "^(0\\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,3}(\\.[0-9]{1,2})?|[1-4][0-9]{4}(\\.[0-9]{1,2})?|50000(\\.00?)?)$",
         "description": "an amount line (金额消费): no SKU, quantity 1, this price before the card's discount"
        }
       },
       "description": "a catalogue item (sku, quantity) or an amount line (amount)"
      }
     },
     "tenders": {
      "type": "array",
      "minItems": 1,
      "maxItems": 8,
      "items": {
       "type": "object",
       "properties": {
        "kind": {
         "type": "string",
         "enum": [
          "stored",
          "cash",
          "bank",
          "mobile",
          "points",
          "coupon",
          "punch"
         ]
        },
        "amount": {
         "type": "string",
         "description": "two decimals; leave out on one tender for the rest (and on a coupon or punch tender); points: the amount the points pay"
        },
        "reference": {
         "type": "string",
         "maxLength": 60,
         "description": "the bank or mobile payment's reference; a coupon tender's code (its amount comes from the coupon's terms). A punch tender (the sale's punch card) pays the service lines its product covers, a use a unit"
        }
       },
       "required": [
        "kind"
       ]
      }
     },
     "staff": {
      "type": "string",
      "description": "the staff member credited with the commission"
     },
     "pin": {
      "type": "string"
     },
     "amount": {
      "type": "string",
      "pattern": "^(0\\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,3}(\\.[0-9]{1,2})?|[1-4][0-9]{4}(\\.[0-9]{1,2})?|50000(\\.00?)?)$",
      "description": "shorthand for one amount line; without tenders it is taken in cash"
     }
    },
    "required": [],
    "description": "items and tenders; or amount alone (one amount line, paid in cash unless tenders say otherwise)"
   },
   "Sale": {
    "type": "object",
    "properties": {
     "sale": {
      "type": "string",
      "description": "the sale's op id: its receipt number"
     },
     "member": {
      "type": [
       "string",
       "null"
      ]
     },
     "card": {
      "type": [
       "string",
       "null"
      ]
     },
     "staff": {
      "type": [
       "string",
       "null"
      ]
     },
     "lines": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "sku": {
         "type": "string"
        },
        "name": {
         "type": "string"
        },
        "quantity": {
         "type": "integer"
        },
        "unit_price": {
         "type": "string",
         "pattern": "^-?[0-9]+\\.[0-9]{2}$",
         "description": "yuan, two decimals"
        },
        "discount": {
         "type": "string",
         "pattern": "^-?[0-9]+\\.[0-9]{2}$",
         "description": "yuan, two decimals"
        },
        "amount": {
         "type": "string",
         "pattern": "^-?[0-9]+\\.[0-9]{2}$",
         "description": "yuan, two decimals"
        }
       },
       "required": [
        "sku",
        "name",
        "quantity",
        "unit_price",
        "discount",
        "amount"
       ]
      }
     },
     "total": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "discount": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "tenders": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "kind": {
         "type": "string"
        },
        "amount": {
         "type": "string",
         "pattern": "^-?[0-9]+\\.[0-9]{2}$",
         "description": "yuan, two decimals"
        },
        "reference": {
         "type": [
          "string",
          "null"
         ]
        },
        "bonus": {
         "type": [
          "string",
          "null"
         ],
         "pattern": "^-?[0-9]+\\.[0-9]{2}$",
         "description": "yuan, two decimals: stored value: the part paid from the bonus balance"
        }
       },
       "required": [
        "kind",
        "amount"
       ]
      }
     },
     "change": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "balance": {
      "type": [
       "string",
       "null"
      ]
     },
     "points_earned": {
      "type": "integer"
     },
     "points_balance": {
      "type": [
       "integer",
       "null"
      ]
     },
     "replayed": {
      "type": "boolean"
     },
     "bonus_balance": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals: the member's bonus balance after the sale"
     },
     "member_link": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^[A-Za-z0-9_-]+$",
      "description": "a member's sale: the receipt's QR code, their page at /m/r/{member_link}, to look at for 24 hours"
     }
    },
    "required": [
     "sale",
     "lines",
     "total",
     "discount",
     "tenders",
     "change",
     "points_earned",
     "replayed"
    ]
   },
   "SaleReturn": {
    "type": "object",
    "properties": {
     "op": {
      "type": "string"
     },
     "sale": {
      "type": "string"
     },
     "lines": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "line": {
         "type": "integer"
        },
        "sku": {
         "type": "string"
        },
        "quantity": {
         "type": "integer"
        },
        "amount": {
         "type": "string",
         "pattern": "^-?[0-9]+\\.[0-9]{2}$",
         "description": "yuan, two decimals"
        }
       },
       "required": [
        "line",
        "sku",
        "quantity",
        "amount"
       ]
      }
     },
     "amount": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "refunds": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "kind": {
         "type": "string"
        },
        "amount": {
         "type": "string",
         "pattern": "^-?[0-9]+\\.[0-9]{2}$",
         "description": "yuan, two decimals"
        },
        "reference": {
         "type": [
          "string",
          "null"
         ]
        },
        "bonus": {
         "type": [
          "string",
          "null"
         ],
         "pattern": "^-?[0-9]+\\.[0-9]{2}$",
         "description": "yuan, two decimals: stored value: the part given back to the bonus balance"
        }
       },
       "required": [
        "kind",
        "amount"
       ]
      }
     },
     "points_taken_back": {
      "type": "integer"
     },
     "balance": {
      "type": [
       "string",
       "null"
      ]
     },
     "replayed": {
      "type": "boolean"
     },
     "bonus_balance": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals: the member's bonus balance after the return"
     }
    },
    "required": [
     "op",
     "sale",
     "lines",
     "amount",
     "refunds",
     "points_taken_back",
     "replayed"
    ]
   },
   "TopUpRequest": {
    "type": "object",
    "properties": {
     "card": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$"
     },
     "amount": {
      "type": "string",
      "pattern": "^(0\\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,3}(\\.[0-9]{1,2})?|[1-4][0-9]{4}(\\.[0-9]{1,2})?|50000(\\.00?)?)$",
      "description": "yuan, at most two decimals, from 0.01 to 50000.00 per transaction"
     },
     "tender": {
      "type": "string",
      "enum": [
       "cash",
       "bank",
       "mobile"
      ],
      "description": "how the top-up is paid; cash (the default) counts in the till's daily close"
     },
     "reference": {
      "type": "string",
      "maxLength": 60,
      "description": "the bank or mobile payment's reference"
     },
     "staff": {
      "type": "string",
      "description": "the staff member credited (head office's commission.topup)"
     }
    },
    "required": [
     "card",
     "amount"
    ]
   },
   "TransferRequest": {
    "type": "object",
    "properties": {
     "to": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$"
     },
     "amount": {
      "type": "string",
      "pattern": "^(0\\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,3}(\\.[0-9]{1,2})?|[1-4][0-9]{4}(\\.[0-9]{1,2})?|50000(\\.00?)?)$",
      "description": "yuan, at most two decimals, from 0.01 to 50000.00 per transaction"
     },
     "pin": {
      "type": "string",
      "pattern": "^[0-9]{4,6}$"
     }
    },
    "required": [
     "to",
     "amount"
    ]
   },
   "PINChangeRequest": {
    "type": "object",
    "properties": {
     "old": {
      "type": "string",
      "pattern": "^[0-9]{4,6}$",
      "description": "the PIN now; leave out for a manager's reset"
     },
     "new": {
      "type": "string",
      "pattern": "^[0-9]{4,6}$"
     }
    },
    "required": [
     "new"
    ]
   },
   "CardReturnRequest": {
    "type": "object",
    "properties": {
     "pin": {
      "type": "string",
      "pattern": "^[0-9]{4,6}$"
     },
     "tender": {
      "type": "string",
      "enum": [
       "cash",
       "bank",
       "mobile"
      ],
      "description": "how the refund is paid (cash by default)"
     }
    }
   },
   "CardLife": {
    "type": "object",
    "properties": {
     "op": {
      "type": "string"
     },
     "kind": {
      "type": "string"
     },
     "card": {
      "type": "string"
     },
     "member": {
      "type": "string"
     },
     "status": {
      "type": "string"
     },
     "product": {
      "type": [
       "string",
       "null"
      ]
     },
     "expires": {
      "type": [
       "string",
       "null"
      ],
      "description": "the last day it pays, YYYY-MM-DD; null: no end"
     },
     "balance": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "amount": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     },
     "to": {
      "type": [
       "string",
       "null"
      ]
     },
     "to_balance": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     },
     "refunded": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     },
     "tender": {
      "type": [
       "string",
       "null"
      ]
     },
     "replayed": {
      "type": "boolean"
     },
     "bonus": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals: the member's bonus balance after the change"
     },
     "bonus_forfeited": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals: a return: the bonus balance, never refunded, gone with the member's last stored-value card"
     }
    },
    "required": [
     "op",
     "kind",
     "card",
     "member",
     "status",
     "balance",
     "replayed"
    ]
   },
   "Program": {
    "type": "object",
    "properties": {
     "version": {
      "type": "integer"
     },
     "program": {
      "type": "object",
      "description": "every rule in force: points, tiers, card_products, coupon_templates, gifts, campaigns (docs/programs.md)"
     }
    },
    "required": [
     "version",
     "program"
    ]
   },
   "CampaignRun": {
    "type": "object",
    "properties": {
     "campaign": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "eligible": {
      "type": "integer"
     },
     "issued": {
      "type": "integer"
     },
     "already": {
      "type": "integer"
     },
     "skipped": {
      "type": "integer"
     },
     "refusals": {
      "type": "object",
      "additionalProperties": {
       "type": "string"
      }
     },
     "ops": {
      "type": "array",
      "items": {
       "type": "string"
      }
     }
    },
    "required": [
     "campaign",
     "name",
     "eligible",
     "issued",
     "already",
     "skipped",
     "refusals",
     "ops"
    ]
   },
   "PointsExpiring": {
    "type": "object",
    "properties": {
     "before": {
      "type": "string"
     },
     "expiring": {
      "type": "integer"
     },
     "members": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "member": {
         "type": "string"
        },
        "points": {
         "type": "integer"
        },
        "expiring": {
         "type": "integer"
        },
        "lots": {
         "type": "array",
         "items": {
          "type": "object",
          "properties": {
           "year": {
            "type": "integer"
           },
           "points": {
            "type": "integer"
           },
           "expires": {
            "type": "string"
           }
          },
          "required": [
           "year",
           "points",
           "expires"
          ]
         }
        }
       },
       "required": [
        "member",
        "points",
        "expiring",
        "lots"
       ]
      }
     }
    },
    "required": [
     "before",
     "expiring",
     "members"
    ]
   },
   "GiftRequest": {
    "type": "object",
    "properties": {
     "card": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$"
     },
     "pin": {
      "type": "string",
      "pattern": "^[0-9]{4,6}$"
     }
    },
    "required": [
     "card"
    ]
   },
   "PointsTransferRequest": {
    "type": "object",
    "properties": {
     "card": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$"
     },
     "to": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$",
      "description": "the member receiving the points"
     },
     "points": {
      "type": "integer",
      "minimum": 1,
      "maximum": 1000000
     },
     "pin": {
      "type": "string",
      "pattern": "^[0-9]{4,6}$"
     }
    },
    "required": [
     "card",
     "to",
     "points"
    ]
   },
   "PointsTransfer": {
    "type": "object",
    "properties": {
     "op": {
      "type": "string"
     },
     "card": {
      "type": "string"
     },
     "member": {
      "type": "string"
     },
     "to": {
      "type": "string"
     },
     "points": {
      "type": "integer"
     },
     "points_balance": {
      "type": "integer"
     },
     "to_points_balance": {
      "type": "integer"
     },
     "replayed": {
      "type": "boolean"
     }
    },
    "required": [
     "op",
     "card",
     "member",
     "to",
     "points",
     "points_balance",
     "to_points_balance",
     "replayed"
    ]
   },
   "CouponTransferRequest": {
    "type": "object",
    "properties": {
     "card": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$",
      "description": "the giving member's card"
     },
     "to": {
      "type": "string",
      "pattern": "^[A-Za-z0-9._:-]{1,64}$",
      "description": "the member receiving the coupon"
     },
     "pin": {
      "type": "string",
      "pattern": "^[0-9]{4,6}$"
     }
    },
    "required": [
     "card",
     "to"
    ]
   },
   "BirthdayGiftsRequest": {
    "type": "object",
    "properties": {
     "month": {
      "type": "string",
      "pattern": "^[0-9]{4}-[0-9]{2}$",
      "description": "e.g. 2026-12"
     }
    },
    "required": [
     "month"
    ]
   },
   "CouponTransfer": {
    "type": "object",
    "properties": {
     "op": {
      "type": "string"
     },
     "code": {
      "type": "string"
     },
     "from": {
      "type": "string"
     },
     "to": {
      "type": "string"
     },
     "replayed": {
      "type": "boolean"
     }
    },
    "required": [
     "op",
     "code",
     "from",
     "to",
     "replayed"
    ]
   },
   "ReportAsOf": {
    "type": "object",
    "properties": {
     "vector": {
      "type": "object",
      "additionalProperties": {
       "type": "integer"
      }
     },
     "latest": {
      "type": "object",
      "additionalProperties": {
       "type": "string"
      }
     },
     "node": {
      "type": "string"
     },
     "computed_at": {
      "type": "string"
     }
    },
    "required": [
     "vector",
     "latest",
     "node",
     "computed_at"
    ],
    "description": "the replica's vector the report was computed at, and each origin's latest op time (how far behind it is)"
   },
   "SalesReportRow": {
    "type": "object",
    "properties": {
     "key": {
      "type": "string"
     },
     "name": {
      "type": [
       "string",
       "null"
      ]
     },
     "quantity": {
      "type": [
       "integer",
       "null"
      ]
     },
     "sales": {
      "type": [
       "integer",
       "null"
      ]
     },
     "amount": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "discount": {
      "type": [
       "string",
       "null"
      ]
     },
     "returns": {
      "type": [
       "integer",
       "null"
      ]
     },
     "returned": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "net": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     }
    },
    "required": [
     "key",
     "amount",
     "returned",
     "net"
    ]
   },
   "SalesReport": {
    "type": "object",
    "properties": {
     "report": {
      "type": "string"
     },
     "by": {
      "type": "string"
     },
     "from": {
      "type": "string"
     },
     "to": {
      "type": "string"
     },
     "branch": {
      "type": [
       "string",
       "null"
      ]
     },
     "rows": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/SalesReportRow"
      }
     },
     "total": {
      "$ref": "#/components/schemas/SalesReportRow"
     },
     "as_of": {
      "$ref": "#/components/schemas/ReportAsOf"
     }
    },
    "required": [
     "report",
     "by",
     "from",
     "to",
     "rows",
     "total",
     "as_of"
    ]
   },
   "MembersReport": {
    "type": "object",
    "properties": {
     "report": {
      "type": "string"
     },
     "branch": {
      "type": [
       "string",
       "null"
      ]
     },
     "members": {
      "type": "integer"
     },
     "joined_by_month": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "month": {
         "type": "string"
        },
        "joined": {
         "type": "integer"
        }
       },
       "required": [
        "month",
        "joined"
       ]
      }
     },
     "active30d": {
      "type": "integer"
     },
     "active90d": {
      "type": "integer"
     },
     "dormant": {
      "type": "integer"
     },
     "never_visited": {
      "type": "integer"
     },
     "zero_spend": {
      "type": "integer"
     },
     "segments": {
      "type": [
       "object",
       "null"
      ],
      "properties": {
       "value": {
        "type": "object",
        "additionalProperties": {
         "type": "integer"
        }
       },
       "rfm": {
        "type": "array",
        "items": {
         "type": "object",
         "properties": {
          "segment": {
           "type": "string"
          },
          "name": {
           "type": "string"
          },
          "members": {
           "type": "integer"
          }
         },
         "required": [
          "segment",
          "name",
          "members"
         ]
        }
       }
      }
     },
     "as_of": {
      "$ref": "#/components/schemas/ReportAsOf"
     }
    },
    "required": [
     "report",
     "members",
     "joined_by_month",
     "active30d",
     "active90d",
     "dormant",
     "never_visited",
     "zero_spend",
     "as_of"
    ]
   },
   "LiabilityBranch": {
    "type": "object",
    "properties": {
     "branch": {
      "type": "string"
     },
     "members": {
      "type": "integer"
     },
     "principal": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "bonus": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "total": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     }
    },
    "required": [
     "branch",
     "members",
     "principal",
     "bonus",
     "total"
    ]
   },
   "LiabilityReport": {
    "type": "object",
    "properties": {
     "report": {
      "type": "string"
     },
     "branch": {
      "type": [
       "string",
       "null"
      ]
     },
     "branches": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/LiabilityBranch"
      }
     },
     "chain": {
      "$ref": "#/components/schemas/LiabilityBranch"
     },
     "rights_held": {
      "type": [
       "object",
       "null"
      ],
      "additionalProperties": {
       "type": "string",
       "pattern": "^-?[0-9]+\\.[0-9]{2}$",
       "description": "yuan, two decimals"
      }
     },
     "reconciliation": {
      "type": [
       "object",
       "null"
      ],
      "properties": {
       "sum_of_balances": {
        "type": "string",
        "pattern": "^-?[0-9]+\\.[0-9]{2}$",
        "description": "yuan, two decimals"
       },
       "sum_of_bonus": {
        "type": "string",
        "pattern": "^-?[0-9]+\\.[0-9]{2}$",
        "description": "yuan, two decimals"
       },
       "op_log": {
        "type": [
         "string",
         "null"
        ]
       },
       "reconciled": {
        "type": "boolean"
       }
      }
     },
     "as_of": {
      "$ref": "#/components/schemas/ReportAsOf"
     }
    },
    "required": [
     "report",
     "branches",
     "chain",
     "as_of"
    ]
   },
   "PointsReport": {
    "type": "object",
    "properties": {
     "report": {
      "type": "string"
     },
     "branch": {
      "type": [
       "string",
       "null"
      ]
     },
     "outstanding": {
      "type": "integer"
     },
     "expired": {
      "type": "integer"
     },
     "lots": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "year": {
         "type": "integer"
        },
        "points": {
         "type": "integer"
        },
        "expires": {
         "type": [
          "string",
          "null"
         ]
        },
        "usable": {
         "type": "boolean"
        }
       },
       "required": [
        "year",
        "points",
        "usable"
       ]
      }
     },
     "expiring_by_month": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "month": {
         "type": "string"
        },
        "points": {
         "type": "integer"
        }
       },
       "required": [
        "month",
        "points"
       ]
      }
     },
     "branches": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "branch": {
         "type": "string"
        },
        "earned": {
         "type": "integer"
        },
        "redeemed": {
         "type": "integer"
        }
       },
       "required": [
        "branch",
        "earned",
        "redeemed"
       ]
      }
     },
     "by_month": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "month": {
         "type": "string"
        },
        "branch": {
         "type": "string"
        },
        "earned": {
         "type": "integer"
        },
        "redeemed": {
         "type": "integer"
        }
       },
       "required": [
        "month",
        "branch",
        "earned",
        "redeemed"
       ]
      }
     },
     "as_of": {
      "$ref": "#/components/schemas/ReportAsOf"
     }
    },
    "required": [
     "report",
     "outstanding",
     "expired",
     "lots",
     "expiring_by_month",
     "branches",
     "by_month",
     "as_of"
    ]
   },
   "BranchesBranch": {
    "type": "object",
    "properties": {
     "branch": {
      "type": "string"
     },
     "rank": {
      "type": "integer"
     },
     "sales": {
      "type": "integer"
     },
     "net": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "share": {
      "type": "number",
      "description": "percent of the chain's net sales, one decimal"
     },
     "average_ticket": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "returned": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "topups": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "topup_count": {
      "type": "integer"
     },
     "bonus": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "new_members": {
      "type": "integer"
     },
     "active_members": {
      "type": "integer"
     },
     "members": {
      "type": "integer"
     },
     "owed": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     }
    },
    "required": [
     "branch",
     "rank",
     "sales",
     "net",
     "share",
     "average_ticket",
     "returned",
     "topups",
     "topup_count",
     "bonus",
     "new_members",
     "active_members",
     "members",
     "owed"
    ]
   },
   "BranchesReport": {
    "type": "object",
    "properties": {
     "report": {
      "type": "string"
     },
     "from": {
      "type": "string"
     },
     "to": {
      "type": "string"
     },
     "branch": {
      "type": [
       "string",
       "null"
      ]
     },
     "branches": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/BranchesBranch"
      }
     },
     "as_of": {
      "$ref": "#/components/schemas/ReportAsOf"
     }
    },
    "required": [
     "report",
     "from",
     "to",
     "branches",
     "as_of"
    ]
   },
   "TiersReportRow": {
    "type": "object",
    "properties": {
     "tier": {
      "type": "string",
      "enum": [
       "standard",
       "silver",
       "gold",
       "platinum"
      ]
     },
     "name": {
      "type": "string"
     },
     "members": {
      "type": "integer"
     },
     "share": {
      "type": "number",
      "description": "percent of the members in scope, one decimal"
     },
     "spend": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "single_topup": {
      "type": [
       "string",
       "null"
      ],
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "points": {
      "type": [
       "integer",
       "null"
      ]
     }
    },
    "required": [
     "tier",
     "name",
     "members",
     "share"
    ]
   },
   "TiersReport": {
    "type": "object",
    "properties": {
     "report": {
      "type": "string"
     },
     "branch": {
      "type": [
       "string",
       "null"
      ]
     },
     "basis": {
      "type": "string",
      "enum": [
       "lifetime",
       "review"
      ]
     },
     "members": {
      "type": "integer"
     },
     "tiers": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/TiersReportRow"
      }
     },
     "as_of": {
      "$ref": "#/components/schemas/ReportAsOf"
     }
    },
    "required": [
     "report",
     "basis",
     "members",
     "tiers",
     "as_of"
    ]
   },
   "StaffReportRow": {
    "type": "object",
    "properties": {
     "staff": {
      "type": "string"
     },
     "name": {
      "type": "string"
     },
     "branch": {
      "type": "string"
     },
     "rank": {
      "type": "integer"
     },
     "sales": {
      "type": "integer"
     },
     "amount": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     },
     "discount": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     },
     "returns": {
      "type": "integer"
     },
     "returned": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     },
     "net": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     },
     "average_ticket": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     },
     "topups": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     },
     "cards": {
      "type": "integer"
     },
     "commission": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     }
    },
    "required": [
     "staff",
     "name",
     "branch",
     "rank",
     "sales",
     "amount",
     "discount",
     "returns",
     "returned",
     "net",
     "average_ticket",
     "topups",
     "cards",
     "commission"
    ]
   },
   "StaffReport": {
    "type": "object",
    "properties": {
     "report": {
      "type": "string"
     },
     "month": {
      "type": "string"
     },
     "branch": {
      "type": [
       "string",
       "null"
      ]
     },
     "staff": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/StaffReportRow"
      }
     },
     "net": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     },
     "commission": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$"
     },
     "as_of": {
      "$ref": "#/components/schemas/ReportAsOf"
     }
    },
    "required": [
     "report",
     "month",
     "staff",
     "net",
     "commission",
     "as_of"
    ]
   },
   "TierMove": {
    "type": "object",
    "properties": {
     "from": {
      "type": "string"
     },
     "to": {
      "type": "string"
     },
     "members": {
      "type": "integer"
     }
    },
    "required": [
     "from",
     "to",
     "members"
    ]
   },
   "TierMovesMonth": {
    "type": "object",
    "properties": {
     "month": {
      "type": "string"
     },
     "up": {
      "type": "integer"
     },
     "down": {
      "type": "integer"
     },
     "moves": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/TierMove"
      }
     }
    },
    "required": [
     "month",
     "up",
     "down",
     "moves"
    ]
   },
   "TierMovesReport": {
    "type": "object",
    "properties": {
     "report": {
      "type": "string"
     },
     "branch": {
      "type": [
       "string",
       "null"
      ]
     },
     "basis": {
      "type": "string",
      "enum": [
       "lifetime",
       "review"
      ]
     },
     "from": {
      "type": "string"
     },
     "to": {
      "type": "string"
     },
     "months": {
      "type": "array",
      "items": {
       "$ref": "#/components/schemas/TierMovesMonth"
      }
     },
     "as_of": {
      "$ref": "#/components/schemas/ReportAsOf"
     }
    },
    "required": [
     "report",
     "basis",
     "from",
     "to",
     "months",
     "as_of"
    ]
   },
   "CampaignReport": {
    "type": "object",
    "properties": {
     "report": {
      "type": "string"
     },
     "campaign": {
      "type": "string"
     },
     "name": {
      "type": [
       "string",
       "null"
      ]
     },
     "coupons_issued": {
      "type": "integer"
     },
     "coupons_used": {
      "type": "integer"
     },
     "redemption_rate": {
      "type": "number"
     },
     "face_value": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "revenue": {
      "type": "string",
      "pattern": "^-?[0-9]+\\.[0-9]{2}$",
      "description": "yuan, two decimals"
     },
     "points_members": {
      "type": "integer"
     },
     "points": {
      "type": "integer"
     },
     "as_of": {
      "$ref": "#/components/schemas/ReportAsOf"
     }
    },
    "required": [
     "report",
     "campaign",
     "coupons_issued",
     "coupons_used",
     "redemption_rate",
     "face_value",
     "revenue",
     "points_members",
     "points",
     "as_of"
    ]
   },
   "ReminderRequest": {
    "type": "object",
    "properties": {
     "kind": {
      "type": "string",
      "enum": [
       "birthday",
       "expiry",
       "renewal",
       "punch-low",
       "points-expiring",
       "dormant",
       "low-balance"
      ]
     },
     "days": {
      "type": "integer",
      "minimum": 0,
      "maximum": 366
     },
     "below": {
      "type": "string"
     },
     "dry_run": {
      "type": "boolean"
     }
    },
    "required": [
     "kind"
    ]
   },
   "ReminderList": {
    "type": "object",
    "properties": {
     "kind": {
      "type": "string"
     },
     "days": {
      "type": "integer"
     },
     "scope": {
      "type": "string"
     },
     "dry_run": {
      "type": "boolean"
     },
     "queued": {
      "type": "integer"
     },
     "entries": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "member": {
         "type": "string"
        },
        "name": {
         "type": "string"
        },
        "phone": {
         "type": "string"
        },
        "fields": {
         "type": "object",
         "additionalProperties": {
          "type": "string"
         }
        },
        "key": {
         "type": "string"
        },
        "consent": {
         "type": "boolean"
        },
        "queued": {
         "type": "boolean"
        },
        "note": {
         "type": [
          "string",
          "null"
         ]
        }
       },
       "required": [
        "member",
        "name",
        "phone",
        "fields",
        "key",
        "consent",
        "queued"
       ]
      }
     }
    },
    "required": [
     "kind",
     "days",
     "scope",
     "dry_run",
     "queued",
     "entries"
    ]
   },
   "OutboxList": {
    "type": "object",
    "properties": {
     "counts": {
      "type": "object",
      "additionalProperties": {
       "type": "integer"
      }
     },
     "messages": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "key": {
         "type": "string"
        },
        "member": {
         "type": "string"
        },
        "kind": {
         "type": "string"
        },
        "fields": {
         "type": "object",
         "additionalProperties": {
          "type": "string"
         }
        },
        "queued_at": {
         "type": "string"
        },
        "queued_by": {
         "type": "string"
        },
        "status": {
         "type": "string",
         "enum": [
          "queued",
          "sent",
          "failed"
         ]
        },
        "attempts": {
         "type": "integer"
        },
        "next_attempt": {
         "type": [
          "string",
          "null"
         ]
        },
        "last_error": {
         "type": [
          "string",
          "null"
         ]
        },
        "sent_at": {
         "type": [
          "string",
          "null"
         ]
        }
       },
       "required": [
        "key",
        "member",
        "kind",
        "fields",
        "queued_at",
        "queued_by",
        "status",
        "attempts"
       ]
      }
     }
    },
    "required": [
     "counts",
     "messages"
    ]
   },
   "ConsentRequest": {
    "type": "object",
    "properties": {
     "messages": {
      "type": "boolean"
     }
    },
    "required": [
     "messages"
    ]
   },
   "Consent": {
    "type": "object",
    "properties": {
     "op": {
      "type": "string"
     },
     "member": {
      "type": "string"
     },
     "messages": {
      "type": "boolean"
     }
    },
    "required": [
     "op",
     "member",
     "messages"
    ]
   },
   "MemberPhoto": {
    "type": "object",
    "properties": {
     "member": {
      "type": "string"
     },
     "digest": {
      "type": "string",
      "pattern": "^[0-9a-f]{64}$",
      "description": "BLAKE2b-256 of the image, hex"
     },
     "bytes": {
      "type": "integer"
     },
     "op": {
      "type": [
       "string",
       "null"
      ]
     }
    },
    "required": [
     "member",
     "digest",
     "bytes"
    ]
   },
   "PhotoFetching": {
    "type": "object",
    "properties": {
     "status": {
      "type": "string",
      "enum": [
       "fetching"
      ]
     },
     "member": {
      "type": "string"
     },
     "asked": {
      "type": "array",
      "items": {
       "type": "string"
      },
      "description": "the linked nodes asked for it (empty: none linked now)"
     }
    },
    "required": [
     "status",
     "member",
     "asked"
    ]
   }
  },
  "securitySchemes": {
   "till": {
    "type": "http",
    "scheme": "bearer",
    "description": "the till's token from `mms till register`"
   },
   "session": {
    "type": "http",
    "scheme": "bearer",
    "description": "the token of POST /v1/sessions"
   }
  }
 }
}
"""#
}
