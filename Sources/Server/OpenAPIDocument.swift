/// The OpenAPI 3.1 description of the API, served at `/openapi.json`. Kept by hand next to APITypes.swift;
/// ServerTests checks that every route is in it and that it parses.
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "SentimentKit server",
    "version": "1.0.0",
    "description": "Sentiment classification, fill-mask and sentence embeddings with BERT models on CPU. Concurrent requests are batched together (up to --max-batch texts or --max-wait-ms). Every error is {\"error\": {\"code\", \"message\"}}."
  },
  "paths": {
    "/v1/classify": {
      "post": {
        "summary": "Classify texts (label, score, all scores; optional per-token importance)",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClassifyRequest"}}}},
        "responses": {
          "200": {"description": "One result per text, in order", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClassifyResponse"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "422": {"$ref": "#/components/responses/Unprocessable"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/v1/fill-mask": {
      "post": {
        "summary": "Predict the tokens hidden by the mask token ([MASK] for BERT)",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FillMaskRequest"}}}},
        "responses": {
          "200": {"description": "Per text, per mask (left to right), the top_k candidates", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FillMaskResponse"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "422": {"$ref": "#/components/responses/Unprocessable"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/v1/embed": {
      "post": {
        "summary": "Sentence embeddings (one vector per text)",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EmbedRequest"}}}},
        "responses": {
          "200": {"description": "One vector per text", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EmbedResponse"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "422": {"$ref": "#/components/responses/Unprocessable"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/v1/models": {
      "get": {
        "summary": "The models served, per task, with the default of each task",
        "responses": {
          "200": {"description": "Models", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModelsResponse"}}}},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/healthz": {
      "get": {
        "summary": "Liveness: the process answers",
        "responses": {"200": {"description": "Alive", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}}
      }
    },
    "/readyz": {
      "get": {
        "summary": "Readiness: models are loaded",
        "responses": {
          "200": {"description": "Ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/metrics": {
      "get": {
        "summary": "Prometheus metrics: http_requests_total{route,method,status}, http_request_duration_seconds{route}, sentiment_batch_size{model,task}, sentiment_batch_duration_seconds, sentiment_queue_depth, sentiment_texts_total, sentiment_texts_per_second (10 s window), sentiment_rejected_total",
        "responses": {"200": {"description": "Prometheus text format 0.0.4", "content": {"text/plain": {"schema": {"type": "string"}}}}}
      }
    },
    "/openapi.json": {
      "get": {
        "summary": "This document",
        "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}
      }
    },
    "/": {
      "get": {
        "summary": "The web page: classify a text or a CSV/TSV/TXT file",
        "responses": {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}}
      }
    }
  },
  "components": {
    "schemas": {
      "Texts": {"type": "array", "items": {"type": "string", "pattern": "\\S"}, "minItems": 1, "description": "Texts with at least one non-space character; at most --max-texts per request, each at most --max-text-length Unicode code points"},
      "MaskedTexts": {"type": "array", "items": {"type": "string", "pattern": "\\[MASK\\]|<mask>"}, "minItems": 1, "description": "Texts each containing the model's mask token (see mask_token in /v1/models: [MASK] for BERT, <mask> for RoBERTa)"},
      "ClassifyRequest": {
        "type": "object", "required": ["texts"],
        "properties": {
          "texts": {"$ref": "#/components/schemas/Texts"},
          "top_k": {"type": ["integer", "null"], "minimum": 1, "default": 1, "description": "Scores per text, best first"},
          "model": {"type": ["string", "null"], "description": "A classify model id from /v1/models; default: the task's default"},
          "explain": {"type": ["boolean", "null"], "default": false, "description": "Add per-token importance (tokens)"}
        }
      },
      "LabelScore": {"type": "object", "required": ["label", "score"], "properties": {"label": {"type": "string"}, "score": {"type": "number"}}},
      "TokenWeight": {
        "type": "object", "required": ["token", "start", "end", "weight"],
        "properties": {
          "token": {"type": "string"},
          "start": {"type": "integer", "description": "Offset in Unicode code points"},
          "end": {"type": "integer", "description": "Exclusive end, in Unicode code points"},
          "weight": {"type": "number", "minimum": 0}
        }
      },
      "ClassifyResult": {
        "type": "object", "required": ["label", "score", "scores"],
        "properties": {
          "label": {"type": "string"}, "score": {"type": "number"},
          "scores": {"type": "array", "items": {"$ref": "#/components/schemas/LabelScore"}},
          "tokens": {"type": "array", "items": {"$ref": "#/components/schemas/TokenWeight"}}
        }
      },
      "Timing": {
        "type": "object", "required": ["total_ms", "queue_ms", "inference_ms", "batch_size"],
        "properties": {
          "total_ms": {"type": "number"}, "queue_ms": {"type": "number"}, "inference_ms": {"type": "number"},
          "batch_size": {"type": "integer", "description": "Texts in the largest model call this request was part of"}
        }
      },
      "ClassifyResponse": {
        "type": "object", "required": ["model", "results", "timing"],
        "properties": {
          "model": {"type": "string"},
          "results": {"type": "array", "items": {"$ref": "#/components/schemas/ClassifyResult"}},
          "importance_method": {"type": "string", "description": "How token weights were computed, when explain was set"},
          "timing": {"$ref": "#/components/schemas/Timing"}
        }
      },
      "FillMaskRequest": {
        "type": "object", "required": ["texts"],
        "properties": {
          "texts": {"$ref": "#/components/schemas/MaskedTexts"},
          "top_k": {"type": ["integer", "null"], "minimum": 1, "maximum": 50, "default": 5},
          "model": {"type": ["string", "null"], "description": "A fill-mask model id; null or absent: the default"}
        }
      },
      "MaskPrediction": {
        "type": "object", "required": ["token", "token_str", "score", "sequence"],
        "properties": {"token": {"type": "integer"}, "token_str": {"type": "string"}, "score": {"type": "number"}, "sequence": {"type": "string"}}
      },
      "FillMaskResponse": {
        "type": "object", "required": ["model", "results", "timing"],
        "properties": {
          "model": {"type": "string"},
          "results": {"type": "array", "items": {"type": "array", "items": {"type": "array", "items": {"$ref": "#/components/schemas/MaskPrediction"}}}},
          "timing": {"$ref": "#/components/schemas/Timing"}
        }
      },
      "EmbedRequest": {
        "type": "object", "required": ["texts"],
        "properties": {
          "texts": {"$ref": "#/components/schemas/Texts"},
          "model": {"type": ["string", "null"], "description": "An embed model id; null or absent: the default"},
          "normalize": {"type": ["boolean", "null"], "default": false, "description": "Scale vectors to unit length"}
        }
      },
      "EmbedResponse": {
        "type": "object", "required": ["model", "dimension", "embeddings", "timing"],
        "properties": {
          "model": {"type": "string"}, "dimension": {"type": "integer"},
          "embeddings": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
          "timing": {"$ref": "#/components/schemas/Timing"}
        }
      },
      "ModelInfo": {
        "type": "object", "required": ["id", "task", "default"],
        "properties": {
          "id": {"type": "string"}, "task": {"type": "string", "enum": ["classify", "fill-mask", "embed"]},
          "default": {"type": "boolean"}, "labels": {"type": "array", "items": {"type": "string"}},
          "dimension": {"type": "integer"}, "mask_token": {"type": "string"}, "importance_method": {"type": "string"}
        }
      },
      "ModelsResponse": {"type": "object", "required": ["models"], "properties": {"models": {"type": "array", "items": {"$ref": "#/components/schemas/ModelInfo"}}}},
      "Status": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}},
      "Error": {
        "type": "object", "required": ["error"],
        "properties": {
          "error": {
            "type": "object", "required": ["code", "message"],
            "properties": {
              "code": {"type": "string", "description": "invalid_json, invalid_utf8, invalid_request, not_found, model_not_found, method_not_allowed, body_too_large, empty_texts, empty_text, too_many_texts, text_too_long, invalid_top_k, no_mask_token, overloaded, shutting_down, not_ready, internal"},
              "message": {"type": "string"}
            }
          }
        }
      }
    },
    "responses": {
      "BadRequest": {"description": "Malformed JSON, wrong types, or invalid UTF-8", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "NotFound": {"description": "Unknown model", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "TooLarge": {"description": "Body larger than --max-body-bytes", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unprocessable": {"description": "A limit or rule broken: empty text, too many texts, text too long, bad top_k, no mask token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unavailable": {
        "description": "Queue full (load shedding), shutting down, or models not loaded yet",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      }
    }
  }
}
"""#
}
