package fiefadmin

import (
	"context"
	"iter"
	"time"
)

// UserFieldsService manages the custom fields of users
// (/admin/api/user-fields); a user's values are in [User.Fields].
type UserFieldsService struct{ c *Client }

// UserFieldType is the type of a user field's values.
type UserFieldType string

// The types of user field.
const (
	UserFieldString      UserFieldType = "STRING"
	UserFieldInteger     UserFieldType = "INTEGER"
	UserFieldBoolean     UserFieldType = "BOOLEAN"
	UserFieldDate        UserFieldType = "DATE"
	UserFieldDateTime    UserFieldType = "DATETIME"
	UserFieldChoice      UserFieldType = "CHOICE"
	UserFieldPhoneNumber UserFieldType = "PHONE_NUMBER"
	UserFieldAddress     UserFieldType = "ADDRESS"
	UserFieldTimezone    UserFieldType = "TIMEZONE"
)

// UserField is a custom field of the users. Its Slug is the key of its
// value in [User.Fields].
type UserField struct {
	ID            UUID                   `json:"id"`
	CreatedAt     time.Time              `json:"created_at"`
	UpdatedAt     time.Time              `json:"updated_at"`
	Name          string                 `json:"name"`
	Slug          string                 `json:"slug"`
	Type          UserFieldType          `json:"type"`
	Configuration UserFieldConfiguration `json:"configuration"`
}

// UserFieldConfiguration says where a user field is asked and what it
// accepts.
type UserFieldConfiguration struct {
	// AtRegistration and AtUpdate show the field on the registration and
	// profile pages.
	AtRegistration bool `json:"at_registration"`
	AtUpdate       bool `json:"at_update"`
	Required       bool `json:"required"`
	// Choices are the [value, label] pairs of a CHOICE field.
	Choices [][2]string `json:"choices,omitzero"`
	// Default is the default value, nil for none.
	Default any `json:"default,omitempty"`
}

// UserFieldCreate is a new user field.
type UserFieldCreate struct {
	Name          string                 `json:"name"`
	Slug          string                 `json:"slug"`
	Type          UserFieldType          `json:"type"`
	Configuration UserFieldConfiguration `json:"configuration"`
}

// UserFieldUpdate changes a user field; nil fields are left as they are.
// The type of a field cannot change.
type UserFieldUpdate struct {
	Name          *string                 `json:"name,omitempty"`
	Slug          *string                 `json:"slug,omitempty"`
	Configuration *UserFieldConfiguration `json:"configuration,omitempty"`
}

// List walks every user field.
func (s *UserFieldsService) List(ctx context.Context, opts *ListOptions) iter.Seq2[UserField, error] {
	return all[UserField](ctx, s.c, newList("user_fields.list", "/user-fields/", opts, nil))
}

// ListPage returns one page of the user fields.
func (s *UserFieldsService) ListPage(ctx context.Context, opts *ListOptions) (*Page[UserField], error) {
	return page[UserField](ctx, s.c, newList("user_fields.list", "/user-fields/", opts, nil))
}

// Get returns a user field.
func (s *UserFieldsService) Get(ctx context.Context, id UUID) (*UserField, error) {
	return get[UserField](ctx, s.c, "user_fields.get", "/user-fields/%s", id)
}

// Create creates a user field. A taken slug gives
// [CodeUserFieldSlugAlreadyExists].
func (s *UserFieldsService) Create(ctx context.Context, f UserFieldCreate) (*UserField, error) {
	return create[UserField](ctx, s.c, "user_fields.create", "/user-fields/", f)
}

// Update changes a user field.
func (s *UserFieldsService) Update(ctx context.Context, id UUID, f UserFieldUpdate) (*UserField, error) {
	return update[UserField](ctx, s.c, "user_fields.update", "/user-fields/%s", f, id)
}

// Delete deletes a user field.
func (s *UserFieldsService) Delete(ctx context.Context, id UUID) error {
	return remove(ctx, s.c, "user_fields.delete", "/user-fields/%s", id)
}
